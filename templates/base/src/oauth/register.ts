import { DuplicateKeyError, type Client, type TokenEndpointAuthMethod } from '../storage/store.js';
import { fieldWithControlCharacter, readJsonObject } from './body.js';
import type { OAuthContext } from './context.js';
import { randomToken, sha256 } from './crypto.js';
import { OAuthError } from './errors.js';
import { jsonResponse, type CoreRequest, type CoreResponse } from './http.js';
import { enforceRateLimit, requestAddressKey } from './rate-limit.js';
import { redirectUriProblem } from './redirect-uri.js';
import { API_HEADERS } from './security-headers.js';

/** Dynamic Client Registration, RFC 7591. */

export const SUPPORTED_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_post',
  'client_secret_basic',
  'none',
];
/** Always both: strict clients read a missing refresh_token as "no refresh support" (quirk dcr-refresh-grant). */
export const SUPPORTED_GRANT_TYPES = ['authorization_code', 'refresh_token'];

/** Optional metadata stored and echoed as the client sent it (RFC 7591 §2). */
const ECHOED_STRING_FIELDS = [
  'client_uri',
  'logo_uri',
  'tos_uri',
  'policy_uri',
  'software_id',
  'software_version',
  'application_type',
  'scope',
];

function redirectUris(body: Record<string, unknown>): string[] {
  const uris = body.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0 || !uris.every((uri) => typeof uri === 'string')) {
    throw new OAuthError(
      'invalid_redirect_uri',
      'redirect_uris must be a non-empty array of strings',
    );
  }
  for (const uri of uris as string[]) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new OAuthError('invalid_redirect_uri', `The redirect URI ${uri} ${problem}`);
  }
  return [...new Set(uris as string[])];
}

function authMethod(body: Record<string, unknown>): TokenEndpointAuthMethod {
  const method = body.token_endpoint_auth_method ?? 'client_secret_basic'; // RFC 7591 §2 default
  if (!SUPPORTED_AUTH_METHODS.includes(method as TokenEndpointAuthMethod)) {
    throw new OAuthError(
      'invalid_client_metadata',
      `token_endpoint_auth_method must be one of ${SUPPORTED_AUTH_METHODS.join(', ')}`,
    );
  }
  return method as TokenEndpointAuthMethod;
}

function checkResponseTypes(body: Record<string, unknown>): void {
  const types = body.response_types;
  if (types === undefined) return;
  if (!Array.isArray(types) || !types.includes('code')) {
    throw new OAuthError('invalid_client_metadata', 'response_types must include "code"');
  }
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > 2000) {
    throw new OAuthError(
      'invalid_client_metadata',
      `${field} must be a string of at most 2000 characters`,
    );
  }
  return value;
}

function echoedMetadata(body: Record<string, unknown>): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  for (const field of ECHOED_STRING_FIELDS) {
    const value = optionalString(body, field);
    if (value !== undefined) metadata[field] = value;
  }
  const contacts = body.contacts;
  if (Array.isArray(contacts) && contacts.every((contact) => typeof contact === 'string'))
    metadata.contacts = contacts;
  return metadata;
}

export function clientRegistrationResponse(
  client: Client,
  clientSecret?: string,
): Record<string, unknown> {
  return {
    client_id: client.clientId,
    ...(clientSecret ? { client_secret: clientSecret, client_secret_expires_at: 0 } : {}),
    client_id_issued_at: client.createdAt,
    client_name: client.clientName ?? undefined,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: client.responseTypes,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    ...client.metadata,
  };
}

/** Refused whatever the storage: PostgreSQL cannot store NUL, and no metadata field is multi-line. */
function rejectControlCharacters(body: Record<string, unknown>): void {
  const field = fieldWithControlCharacter(body);
  if (field === undefined) return;
  if (field === 'redirect_uris')
    throw new OAuthError('invalid_redirect_uri', 'A redirect URI contains control characters');
  throw new OAuthError('invalid_client_metadata', 'A metadata field contains control characters');
}

export async function handleRegister(
  request: CoreRequest,
  context: OAuthContext,
): Promise<CoreResponse> {
  const address = requestAddressKey(request, context);
  await enforceRateLimit('register', context.config.rateLimits.register, address, context);
  const body = readJsonObject(request);
  rejectControlCharacters(body);
  checkResponseTypes(body);
  const method = authMethod(body);
  // A public client gets no secret: a Claude Desktop build aborted when "none" came back with one.
  const clientSecret = method === 'none' ? undefined : randomToken();
  const client: Client = {
    clientId: randomToken(16),
    clientSecretHash: clientSecret ? sha256(clientSecret) : null,
    clientName: optionalString(body, 'client_name') ?? null,
    redirectUris: redirectUris(body),
    grantTypes: SUPPORTED_GRANT_TYPES,
    responseTypes: ['code'],
    tokenEndpointAuthMethod: method,
    metadata: echoedMetadata(body),
    createdAt: context.now(),
  };
  try {
    await context.store.createClient(client);
  } catch (error) {
    if (error instanceof DuplicateKeyError)
      throw new OAuthError('temporarily_unavailable', 'Please retry the registration');
    throw error;
  }
  return jsonResponse(201, clientRegistrationResponse(client, clientSecret), API_HEADERS);
}
