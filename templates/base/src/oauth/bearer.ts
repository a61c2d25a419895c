import type { AuthInfo } from '@modelcontextprotocol/server';
import type { Config } from '../config.js';
import type { OAuthContext } from './context.js';
import { sha256 } from './crypto.js';
import { header, jsonResponse, type CoreRequest, type CoreResponse } from './http.js';
import { protectedResourceMetadataUrl } from './metadata.js';
import { BASELINE_SCOPE } from './scopes.js';

/** RFC 6750 §3 challenge; resource_metadata lets clients discover us from a bare 401 (quirk www-authenticate). */
export function bearerChallenge(
  config: Config,
  fields: { error?: string; description?: string; scope: string },
): string {
  const parts = [
    `resource_metadata="${protectedResourceMetadataUrl(config)}"`,
    `scope="${fields.scope}"`,
  ];
  if (fields.error) parts.unshift(`error="${fields.error}"`);
  if (fields.description) parts.push(`error_description="${fields.description}"`);
  return `Bearer ${parts.join(', ')}`;
}

function unauthorized(config: Config, tokenSent: boolean): CoreResponse {
  const challenge = tokenSent
    ? bearerChallenge(config, {
        error: 'invalid_token',
        description: 'The access token is not valid',
        scope: BASELINE_SCOPE,
      })
    : bearerChallenge(config, { scope: BASELINE_SCOPE });
  return jsonResponse(
    401,
    {
      error: tokenSent ? 'invalid_token' : 'unauthorized',
      error_description: 'A valid bearer token is required',
    },
    { 'www-authenticate': challenge },
  );
}

/** The scheme is case-insensitive (RFC 9110 §11.1, quirk bearer-case): "bearer x" is as good as "Bearer x". */
function bearerToken(request: CoreRequest): string | undefined {
  const match = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header(request, 'authorization') ?? '');
  return match?.[1];
}

export type BearerResult = { ok: true; auth: AuthInfo } | { ok: false; response: CoreResponse };

/**
 * Only our own, unexpired, unrevoked tokens issued for this resource pass (quirk audience-bound):
 * a token minted for another resource is rejected, never forwarded.
 */
export async function authenticateBearer(
  request: CoreRequest,
  context: OAuthContext,
): Promise<BearerResult> {
  const authorization = header(request, 'authorization');
  const token = bearerToken(request);
  if (!token)
    return { ok: false, response: unauthorized(context.config, authorization !== undefined) };
  const stored = await context.store.findAccessToken(sha256(token), context.now());
  if (!stored || stored.resource !== context.config.resource) {
    return { ok: false, response: unauthorized(context.config, true) };
  }
  return {
    ok: true,
    auth: {
      token,
      clientId: stored.clientId,
      scopes: stored.scopes,
      expiresAt: stored.expiresAt,
      resource: new URL(stored.resource),
      extra: { userId: stored.userId },
    },
  };
}
