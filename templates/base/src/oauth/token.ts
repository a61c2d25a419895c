import type { AccessToken, Client, RefreshToken } from '../storage/store.js';
import { readForm, required, single } from './body.js';
import { authenticateClient } from './client-auth.js';
import type { OAuthContext } from './context.js';
import { randomToken, sha256 } from './crypto.js';
import { OAuthError } from './errors.js';
import { jsonResponse, type CoreRequest, type CoreResponse } from './http.js';
import { isValidCodeVerifier, verifyS256 } from './pkce.js';
import { enforceRateLimit } from './rate-limit.js';
import { resolveResource } from './resource.js';
import { formatScopes, parseScopeParam } from './scopes.js';
import { TOKEN_RESPONSE_HEADERS } from './security-headers.js';

interface Issued {
  accessToken: string;
  refreshToken: string;
  access: AccessToken;
  refresh: RefreshToken;
}

interface GrantShape {
  grantId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  resource: string;
}

function newTokenPair(source: GrantShape, context: OAuthContext): Issued {
  const now = context.now();
  const grant: GrantShape = {
    grantId: source.grantId,
    clientId: source.clientId,
    userId: source.userId,
    scopes: source.scopes,
    resource: source.resource,
  };
  const accessToken = randomToken();
  const refreshToken = randomToken();
  const { config } = context;
  return {
    accessToken,
    refreshToken,
    access: { tokenHash: sha256(accessToken), ...grant, expiresAt: now + config.accessTokenTtl },
    refresh: {
      tokenHash: sha256(refreshToken),
      ...grant,
      expiresAt: now + config.refreshTokenTtl,
      rotatedAt: null,
    },
  };
}

function tokenResponse(issued: Issued, context: OAuthContext): CoreResponse {
  return jsonResponse(
    200,
    {
      access_token: issued.accessToken,
      // Lowercase: some strict clients reject "Bearer" (quirk token-type-lowercase).
      token_type: 'bearer',
      expires_in: context.config.accessTokenTtl,
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

async function exchangeCode(
  form: URLSearchParams,
  client: Client,
  context: OAuthContext,
): Promise<CoreResponse> {
  const code = required(form, 'code');
  const redirectUri = required(form, 'redirect_uri');
  const verifier = required(form, 'code_verifier');
  const result = await context.store.consumeCode(sha256(code));
  if (result.status === 'not_found')
    throw new OAuthError('invalid_grant', 'The authorization code is not valid');
  if (result.status === 'replayed') {
    // A second redemption means the code leaked: everything issued from it goes (RFC 6749 §4.1.2).
    await context.store.revokeGrant(result.code.grantId, context.now());
    throw new OAuthError('invalid_grant', 'The authorization code was already used');
  }
  const stored = result.code;
  if (stored.expiresAt <= context.now())
    throw new OAuthError('invalid_grant', 'The authorization code has expired');
  if (stored.clientId !== client.clientId)
    throw new OAuthError('invalid_grant', 'The authorization code was issued to another client');
  if (stored.redirectUri !== redirectUri)
    throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
  if (!isValidCodeVerifier(verifier) || !verifyS256(verifier, stored.codeChallenge)) {
    throw new OAuthError('invalid_grant', 'The code_verifier does not match the code_challenge');
  }
  checkResource(form, stored.resource, context);
  const issued = newTokenPair(stored, context);
  await context.store.saveTokens(issued.access, issued.refresh);
  return tokenResponse(issued, context);
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
  const scopes = refreshedScopes(form, current.scopes);
  checkResource(form, current.resource, context);
  const issued = newTokenPair({ ...current, scopes }, context);
  // Rotation and its grace window are decided atomically by the store (quirk refresh-rotation).
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
  return tokenResponse(issued, context);
}

export async function handleToken(
  request: CoreRequest,
  context: OAuthContext,
): Promise<CoreResponse> {
  await enforceRateLimit('token', context.config.rateLimits.token, request, context);
  const form = readForm(request);
  const grantType = required(form, 'grant_type');
  const client = await authenticateClient(request, form, context);
  switch (grantType) {
    case 'authorization_code':
      return exchangeCode(form, client, context);
    case 'refresh_token':
      return refresh(form, client, context);
    default:
      throw new OAuthError('unsupported_grant_type', `grant_type ${grantType} is not supported`);
  }
}
