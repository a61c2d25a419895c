import { randomToken, sha256 } from '../../src/oauth/crypto.js';
import type { TestServer } from './server.js';

export interface InsertedGrant {
  grantId: string;
  accessToken: string;
  refreshToken: string;
}

export interface GrantShape {
  scopes: string[];
  /** Default: the server's canonical resource. */
  resource?: string;
  clientId?: string;
  /** Seconds from now until the access token expires; negative for an expired one. */
  accessExpiresIn?: number;
  /** Seconds from now until the refresh token expires; negative for an expired one. */
  refreshExpiresIn?: number;
}

/**
 * Writes a grant and its token pair straight into the store, for the few shapes the OAuth flow
 * cannot produce on purpose: no scope at all, another audience, an already expired token.
 */
export async function insertGrant(server: TestServer, shape: GrantShape): Promise<InsertedGrant> {
  const now = Math.floor(Date.now() / 1000);
  const grantId = `test-grant-${randomToken(8)}`;
  const accessToken = randomToken();
  const refreshToken = randomToken();
  const owner = {
    grantId,
    clientId: shape.clientId ?? 'test-client',
    userId: server.user.userId,
    scopes: shape.scopes,
    resource: shape.resource ?? server.resource,
  };
  await server.store.createGrantWithCode(
    { ...owner, createdAt: now, revokedAt: null },
    {
      ...owner,
      codeHash: sha256(randomToken()),
      redirectUri: 'http://127.0.0.1/callback',
      codeChallenge: randomToken(),
      expiresAt: now + 600,
    },
  );
  await server.store.saveTokens(
    { ...owner, tokenHash: sha256(accessToken), expiresAt: now + (shape.accessExpiresIn ?? 3600) },
    {
      ...owner,
      tokenHash: sha256(refreshToken),
      expiresAt: now + (shape.refreshExpiresIn ?? 86400),
      rotatedAt: null,
      parentHash: null,
      retiredAt: null,
    },
  );
  return { grantId, accessToken, refreshToken };
}
