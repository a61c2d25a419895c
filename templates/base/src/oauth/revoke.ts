import { readForm, required } from './body.js';
import { authenticateClient } from './client-auth.js';
import type { OAuthContext } from './context.js';
import { sha256 } from './crypto.js';
import { type CoreRequest, type CoreResponse } from './http.js';
import { API_HEADERS } from './security-headers.js';

/**
 * RFC 7009. Revoking the current refresh token revokes its whole grant; revoking one that was
 * already rotated out retires only that token, since clients such as Claude Code revoke the token
 * they just replaced (quirk revoke-superseded). Unknown tokens and tokens of other clients get the
 * same 200, so the endpoint tells nobody whether a token exists.
 */
export async function handleRevoke(
  request: CoreRequest,
  context: OAuthContext,
): Promise<CoreResponse> {
  const form = readForm(request);
  const client = await authenticateClient(request, form, context);
  const tokenHash = sha256(required(form, 'token'));
  const refresh = await context.store.findRefreshToken(tokenHash);
  if (refresh) {
    if (refresh.clientId === client.clientId) {
      const supersededAlready = refresh.rotatedAt !== null || refresh.retiredAt !== null;
      if (supersededAlready) await context.store.retireRefreshToken(tokenHash, context.now());
      else await context.store.revokeGrant(refresh.grantId, context.now());
    }
  } else {
    const access = await context.store.findAccessToken(tokenHash, context.now());
    if (access?.clientId === client.clientId) await context.store.revokeAccessToken(tokenHash);
  }
  return { status: 200, headers: API_HEADERS };
}
