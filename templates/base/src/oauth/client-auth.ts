import type { Client } from '../storage/store.js';
import { hasControlCharacter, single } from './body.js';
import { resolveClient } from './clients.js';
import type { OAuthContext } from './context.js';
import { constantTimeEqual, sha256 } from './crypto.js';
import { OAuthError } from './errors.js';
import { header, type CoreRequest } from './http.js';

interface PresentedCredentials {
  clientId: string;
  clientSecret: string | undefined;
}

function basicCredentials(request: CoreRequest): PresentedCredentials | undefined {
  const authorization = header(request, 'authorization');
  const match = authorization ? /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) throw new OAuthError('invalid_client', 'Malformed Basic credentials');
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    const decode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
    const clientId = decode(decoded.slice(0, separator));
    const clientSecret = decode(decoded.slice(separator + 1));
    if (hasControlCharacter(clientId) || hasControlCharacter(clientSecret)) throw new URIError();
    return { clientId, clientSecret };
  } catch {
    throw new OAuthError('invalid_client', 'Malformed Basic credentials');
  }
}

function presentedCredentials(request: CoreRequest, form: URLSearchParams): PresentedCredentials {
  const basic = basicCredentials(request);
  const postedId = single(form, 'client_id');
  const postedSecret = single(form, 'client_secret');
  if (basic) {
    if (postedSecret !== undefined)
      throw new OAuthError('invalid_request', 'Use one client authentication method, not two');
    if (postedId !== undefined && postedId !== basic.clientId)
      throw new OAuthError('invalid_client', 'client_id does not match the credentials');
    return basic;
  }
  if (!postedId) throw new OAuthError('invalid_client', 'Client authentication is missing');
  return { clientId: postedId, clientSecret: postedSecret };
}

/**
 * client_secret_post, client_secret_basic and none are all accepted, whatever the client registered
 * (quirk client-auth-methods): a confidential client must prove its secret one way or the other.
 */
export async function authenticateClient(
  request: CoreRequest,
  form: URLSearchParams,
  context: OAuthContext,
): Promise<Client> {
  const credentials = presentedCredentials(request, form);
  let client: Client;
  try {
    client = await resolveClient(credentials.clientId, context);
  } catch (error) {
    if (error instanceof OAuthError)
      throw new OAuthError('invalid_client', 'Client authentication failed');
    throw error;
  }
  // A public client has no secret: PKCE binds the code instead.
  if (
    client.clientSecretHash !== null &&
    (!credentials.clientSecret ||
      !constantTimeEqual(sha256(credentials.clientSecret), client.clientSecretHash))
  ) {
    throw new OAuthError('invalid_client', 'Client authentication failed');
  }
  // A registered client in use is never purged (quirk client-retention); the store writes this at most hourly.
  await context.store.recordClientUse(client.clientId, context.now());
  return client;
}
