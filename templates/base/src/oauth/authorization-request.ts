import type { Client } from '../storage/store.js';
import { single } from './body.js';
import { resolveClient, UnknownClientError } from './clients.js';
import type { OAuthContext } from './context.js';
import { OAuthError } from './errors.js';
import { isValidCodeChallenge } from './pkce.js';
import { findMatchingRedirectUri, redirectUriProblem } from './redirect-uri.js';
import { resolveResource } from './resource.js';
import { resolveRequestedScopes } from './scopes.js';

/** A validated /authorize request, as the consent page and the consent POST both need it. */
export interface AuthorizationRequest {
  client: Client;
  redirectUri: string;
  state: string | undefined;
  codeChallenge: string;
  /** Known scopes the client asked for (the baseline when it asked for none). */
  requestedScopes: string[];
  resource: string;
  prompt: string | undefined;
}

/**
 * Client and redirect URI problems are shown to the user, never redirected: redirecting to an
 * unverified URI would make us an open redirector (RFC 6749 §4.1.2.1).
 */
export class UnsafeAuthorizationRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeAuthorizationRequest';
  }
}

/**
 * A request from a known client to one of its registered redirect URIs that is wrong in another way
 * (PKCE, response_type, resource, prompt=none, ...). Anyone can register a client here (DCR) or describe
 * one (CIMD), so a registered redirect URI proves nothing about where it leads: an automatic redirect
 * would make this server an open redirector (RFC 9700 §4.11.2). The user sees the error on our own page
 * with a link back to the app instead.
 */
export class InvalidAuthorizationRequest extends Error {
  constructor(
    readonly error: OAuthError,
    readonly redirectUri: string,
    readonly state: string | undefined,
  ) {
    super(error.message);
    this.name = 'InvalidAuthorizationRequest';
  }
}

/**
 * The answer to the user's own decision on the consent page (access_denied, no scope left checked),
 * sent back to the client's verified redirect URI.
 */
export class AuthorizationRedirectError extends Error {
  constructor(
    readonly error: OAuthError,
    readonly redirectUri: string,
    readonly state: string | undefined,
  ) {
    super(error.message);
    this.name = 'AuthorizationRedirectError';
  }
}

/** For a client_id never registered here or purged after a long time unused (quirk client-retention). */
const MUST_CONNECT_AGAIN =
  'This application is not registered here, or its registration was removed after a long time ' +
  'unused. Remove this server from the application and connect it again.';

async function clientAndRedirectUri(params: URLSearchParams, context: OAuthContext) {
  let clientId: string | undefined;
  let requested: string | undefined;
  try {
    clientId = single(params, 'client_id');
    requested = single(params, 'redirect_uri');
  } catch (error) {
    throw new UnsafeAuthorizationRequest((error as OAuthError).description);
  }
  if (!clientId) throw new UnsafeAuthorizationRequest('The request has no client_id.');
  let client: Client;
  try {
    client = await resolveClient(clientId, context);
  } catch (error) {
    if (error instanceof UnknownClientError)
      throw new UnsafeAuthorizationRequest(MUST_CONNECT_AGAIN);
    if (error instanceof OAuthError)
      throw new UnsafeAuthorizationRequest(
        `This application is not known here: ${error.description}.`,
      );
    throw error;
  }
  if (requested === undefined) {
    // RFC 6749 §3.1.2.3: optional only when exactly one URI is registered.
    if (client.redirectUris.length !== 1)
      throw new UnsafeAuthorizationRequest('The request has no redirect_uri.');
    return { client, redirectUri: client.redirectUris[0]! };
  }
  if (redirectUriProblem(requested) || !findMatchingRedirectUri(client.redirectUris, requested)) {
    throw new UnsafeAuthorizationRequest(
      'The redirect_uri is not registered for this application.',
    );
  }
  return { client, redirectUri: requested };
}

function validateParameters(params: URLSearchParams, context: OAuthContext) {
  const responseType = single(params, 'response_type');
  if (responseType === undefined)
    throw new OAuthError('invalid_request', 'The response_type parameter is missing');
  if (responseType !== 'code') {
    throw new OAuthError('unsupported_response_type', 'Only response_type=code is supported');
  }
  const codeChallenge = single(params, 'code_challenge');
  const method = single(params, 'code_challenge_method');
  if (!codeChallenge)
    throw new OAuthError('invalid_request', 'PKCE is required: send code_challenge');
  if (method !== 'S256')
    throw new OAuthError('invalid_request', 'code_challenge_method must be S256');
  if (!isValidCodeChallenge(codeChallenge)) {
    throw new OAuthError(
      'invalid_request',
      'code_challenge must be a base64url SHA-256 digest (43 characters)',
    );
  }
  return {
    codeChallenge,
    requestedScopes: resolveRequestedScopes(single(params, 'scope')),
    resource: resolveResource(params.getAll('resource'), context.config.resource),
    prompt: single(params, 'prompt'),
  };
}

export async function parseAuthorizationRequest(
  params: URLSearchParams,
  context: OAuthContext,
): Promise<AuthorizationRequest> {
  const { client, redirectUri } = await clientAndRedirectUri(params, context);
  const state = params.getAll('state')[0];
  try {
    return { client, redirectUri, state, ...validateParameters(params, context) };
  } catch (error) {
    if (error instanceof OAuthError)
      throw new InvalidAuthorizationRequest(error, redirectUri, state);
    throw error;
  }
}

/** The redirect back to the client; `iss` only when configured to emit it (quirk iss-consistent). */
export function authorizationResponseUrl(
  redirectUri: string,
  params: Record<string, string | undefined>,
  context: OAuthContext,
): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.append(name, value);
  }
  if (context.config.issParameter === 'emit')
    url.searchParams.append('iss', context.config.publicUrl);
  return url.toString();
}
