import type {
  AccessToken,
  AuthorizationCode,
  Client,
  Grant,
  RefreshToken,
} from '../storage/store.js';
import { readForm, required, single } from './body.js';
import { authenticateClient } from './client-auth.js';
import type { OAuthContext } from './context.js';
import { randomToken, sha256 } from './crypto.js';
import { OAuthError } from './errors.js';
import { jsonResponse, type CoreRequest, type CoreResponse } from './http.js';
import { isValidCodeVerifier, verifyS256 } from './pkce.js';
import { enforceRateLimit, requestAddressKey } from './rate-limit.js';
import { resolveResource } from './resource.js';
import { formatScopes, parseScopeParam } from './scopes.js';
import { TOKEN_RESPONSE_HEADERS } from './security-headers.js';
import { accessTokenLifetime } from './token-lifetime.js';

interface Issued {
  accessToken: string;
  refreshToken: string;
  access: AccessToken;
  refresh: RefreshToken;
  expiresIn: number;
}

interface PairSource {
  grant: Grant;
  /** The access token's scopes: the grant's, or fewer when a refresh narrowed them. */
  accessScopes: string[];
  /** The grant's end, which every refresh token of the grant shares (quirk refresh-rotation). */
  refreshExpiresAt: number;
  /** The refresh token this pair replaces; null for the pair a code is exchanged for. */
  parentHash: string | null;
}

function newTokenPair(source: PairSource, client: Client, context: OAuthContext): Issued {
  const now = context.now();
  const { grantId, clientId, userId, resource, scopes } = source.grant;
  const owner = { grantId, clientId, userId, resource };
  const expiresIn = accessTokenLifetime(client, context.config);
  const accessToken = randomToken();
  const refreshToken = randomToken();
  return {
    accessToken,
    refreshToken,
    access: {
      tokenHash: sha256(accessToken),
      ...owner,
      scopes: source.accessScopes,
      expiresAt: now + expiresIn,
    },
    // The refresh token keeps the grant's scopes, so a later refresh may ask for all of them again (RFC 6749 §6).
    refresh: {
      tokenHash: sha256(refreshToken),
      ...owner,
      scopes,
      expiresAt: source.refreshExpiresAt,
      rotatedAt: null,
      parentHash: source.parentHash,
      retiredAt: null,
    },
    expiresIn,
  };
}

function tokenResponse(issued: Issued): CoreResponse {
  return jsonResponse(
    200,
    {
      access_token: issued.accessToken,
      // Lowercase: some strict clients reject "Bearer" (quirk token-type-lowercase).
      token_type: 'bearer',
      expires_in: issued.expiresIn,
      // Always, whether or not offline_access was asked for (quirk token-lifetime-overrides).
      refresh_token: issued.refreshToken,
      scope: formatScopes(issued.access.scopes),
    },
    TOKEN_RESPONSE_HEADERS,
  );
}

function checkResource(form: URLSearchParams, resource: string, context: OAuthContext): void {
  const requested = form.getAll('resource');
  if (requested.length > 0 && resolveResource(requested, context.config.resource) !== resource) {
    throw new OAuthError('invalid_target', 'The resource does not match the grant');
  }
}

/** A second redemption means the code leaked: everything issued from it goes (RFC 6749 §4.1.2). */
async function refuseReplayedCode(code: AuthorizationCode, context: OAuthContext): Promise<never> {
  await context.store.revokeGrant(code.grantId, context.now());
  throw new OAuthError('invalid_grant', 'The authorization code was already used');
}

/**
 * Everything a code is bound to, checked before the code is consumed: a request from another
 * client or with a wrong verifier must not burn the code of the real client.
 */
function checkCodeBindings(
  stored: AuthorizationCode,
  form: URLSearchParams,
  client: Client,
  context: OAuthContext,
): void {
  const redirectUri = required(form, 'redirect_uri');
  const verifier = required(form, 'code_verifier');
  if (stored.expiresAt <= context.now())
    throw new OAuthError('invalid_grant', 'The authorization code has expired');
  if (stored.clientId !== client.clientId)
    throw new OAuthError('invalid_grant', 'The authorization code was issued to another client');
  // The code holds the redirect_uri exactly as /authorize matched it (a portless loopback
  // registration included), so the one right answer is that same string (quirk loopback-matcher-everywhere).
  if (stored.redirectUri !== redirectUri)
    throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
  if (!isValidCodeVerifier(verifier) || !verifyS256(verifier, stored.codeChallenge)) {
    throw new OAuthError('invalid_grant', 'The code_verifier does not match the code_challenge');
  }
  checkResource(form, stored.resource, context);
}

async function exchangeCode(
  form: URLSearchParams,
  client: Client,
  context: OAuthContext,
): Promise<CoreResponse> {
  const codeHash = sha256(required(form, 'code'));
  const found = await context.store.findCode(codeHash);
  if (!found) throw new OAuthError('invalid_grant', 'The authorization code is not valid');
  if (found.consumed) return refuseReplayedCode(found.code, context);
  checkCodeBindings(found.code, form, client, context);
  const result = await context.store.consumeCode(codeHash);
  if (result.status === 'not_found')
    throw new OAuthError('invalid_grant', 'The authorization code is not valid');
  // Another redemption of the same code got there first.
  if (result.status === 'replayed') return refuseReplayedCode(result.code, context);
  // The grant may already be revoked by a replay racing this redemption: the tokens saved below
  // then die with it, and the client that consumed the code still gets its answer.
  const grant = await context.store.findGrant(result.code.grantId);
  if (!grant) throw new OAuthError('invalid_grant', 'The authorization code is not valid');
  const issued = newTokenPair(
    {
      grant,
      accessScopes: grant.scopes,
      // The grant's absolute lifetime counts from the user's consent, when the grant was created.
      refreshExpiresAt: grant.createdAt + context.config.refreshTokenTtl,
      parentHash: null,
    },
    client,
    context,
  );
  await context.store.saveTokens(issued.access, issued.refresh);
  return tokenResponse(issued);
}

/** A refresh may narrow the scope, never widen it (RFC 6749 §6). */
function refreshedScopes(form: URLSearchParams, granted: string[]): string[] {
  const requested = single(form, 'scope');
  if (requested === undefined) return granted;
  const scopes = parseScopeParam(requested);
  const extra = scopes.filter((scope) => !granted.includes(scope));
  if (extra.length > 0)
    throw new OAuthError('invalid_scope', `The grant does not include ${extra.join(' ')}`);
  return scopes;
}

/**
 * The grant behind a refresh token, when it still fits this server: after a PUBLIC_URL change or
 * with its user gone the client must authorize again, and invalid_grant is the answer that makes
 * clients do so (quirk refresh-invalid-grant).
 */
async function grantStillValid(token: RefreshToken, context: OAuthContext): Promise<Grant> {
  const grant = await context.store.findGrant(token.grantId);
  if (!grant || grant.revokedAt !== null)
    throw new OAuthError('invalid_grant', 'The refresh token is not valid');
  if (grant.resource !== context.config.resource) {
    throw new OAuthError(
      'invalid_grant',
      'The grant was issued for another resource; authorize again',
    );
  }
  if (!(await context.store.findUserById(grant.userId)))
    throw new OAuthError('invalid_grant', 'The account of this grant no longer exists');
  return grant;
}

async function refresh(
  form: URLSearchParams,
  client: Client,
  context: OAuthContext,
): Promise<CoreResponse> {
  const oldTokenHash = sha256(required(form, 'refresh_token'));
  const current = await context.store.findRefreshToken(oldTokenHash);
  if (!current || current.clientId !== client.clientId || current.expiresAt <= context.now()) {
    throw new OAuthError('invalid_grant', 'The refresh token is not valid');
  }
  const grant = await grantStillValid(current, context);
  const accessScopes = refreshedScopes(form, grant.scopes);
  checkResource(form, grant.resource, context);
  const issued = newTokenPair(
    { grant, accessScopes, refreshExpiresAt: current.expiresAt, parentHash: oldTokenHash },
    client,
    context,
  );
  // Rotation, its grace window and the retiring of siblings are decided atomically by the store
  // (quirk refresh-rotation).
  const result = await context.store.rotateRefreshToken({
    oldTokenHash,
    newRefreshToken: issued.refresh,
    newAccessToken: issued.access,
    now: context.now(),
    graceSeconds: context.config.refreshGraceSeconds,
  });
  if (result.status === 'reused')
    throw new OAuthError(
      'invalid_grant',
      'The refresh token was already used; the grant is revoked',
    );
  if (result.status === 'invalid')
    throw new OAuthError('invalid_grant', 'The refresh token is not valid');
  return tokenResponse(issued);
}

export async function handleToken(
  request: CoreRequest,
  context: OAuthContext,
): Promise<CoreResponse> {
  // Every claude.ai or ChatGPT user reaches us from a few shared egress addresses, so the address
  // gets only a high ceiling; the real budget is per client (quirk shared-egress-limits).
  const { rateLimits } = context.config;
  await enforceRateLimit(
    'token-address',
    rateLimits.tokenPerAddress,
    requestAddressKey(request, context),
    context,
  );
  const form = readForm(request);
  const grantType = required(form, 'grant_type');
  const client = await authenticateClient(request, form, context);
  await enforceRateLimit('token-client', rateLimits.token, client.clientId, context);
  switch (grantType) {
    case 'authorization_code':
      return exchangeCode(form, client, context);
    case 'refresh_token':
      return refresh(form, client, context);
    default:
      throw new OAuthError('unsupported_grant_type', `grant_type ${grantType} is not supported`);
  }
}
