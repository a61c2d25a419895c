import type { RegisteredClient } from './context.js';

export interface ClientCredentials {
  fields: Record<string, string>;
  headers: Record<string, string>;
}

/** How a client authenticates at /token and /revoke with its registered method (RFC 6749 §2.3.1). */
export function clientCredentials(
  client: RegisteredClient,
  method = client.authMethod,
  secret = client.clientSecret ?? '',
): ClientCredentials {
  if (method === 'client_secret_basic') {
    const pair = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(secret)}`;
    return { fields: {}, headers: { authorization: `Basic ${Buffer.from(pair).toString('base64')}` } };
  }
  if (method === 'client_secret_post') return { fields: { client_id: client.clientId, client_secret: secret }, headers: {} };
  return { fields: { client_id: client.clientId }, headers: {} };
}
