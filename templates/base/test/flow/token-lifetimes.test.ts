import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/oauth/crypto.js';
import { SCOPES } from '../../src/oauth/scopes.js';
import { parseChallenge } from '../helpers/headers.js';
import { callTool } from '../helpers/mcp.js';
import { grantTokens, refresh, registerPublicClient } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { insertGrant } from '../helpers/tokens.js';

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

async function storedLifetimes(server: TestServer, accessToken: string, refreshToken: string) {
  const now = nowSeconds();
  const access = await server.store.findAccessToken(sha256(accessToken), now);
  const refreshed = await server.store.findRefreshToken(sha256(refreshToken));
  return { access: access!.expiresAt - now, refresh: refreshed!.expiresAt - now };
}

describe('flow rule token-lifetimes: access 1 h and refresh 30 days by default', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('expires_in is 3600 and the stored expiries match 1 h and 30 days', async () => {
    const { tokens } = await grantTokens(server);
    expect(tokens.expires_in).toBe(3600);
    const lifetimes = await storedLifetimes(server, tokens.access_token, tokens.refresh_token);
    expect(Math.abs(lifetimes.access - 3600)).toBeLessThanOrEqual(5);
    expect(Math.abs(lifetimes.refresh - 30 * 24 * 3600)).toBeLessThanOrEqual(5);
  });

  it('an expired access token is refused with 401 invalid_token', async () => {
    const { accessToken } = await insertGrant(server, {
      scopes: SCOPES.map((scope) => scope.name),
      accessExpiresIn: -10,
    });
    const result = await callTool(server.url, accessToken, 'whoami');
    expect(result.status).toBe(401);
    expect(parseChallenge(result.headers.get('www-authenticate')).params.error).toBe(
      'invalid_token',
    );
  });

  it('an expired refresh token is invalid_grant', async () => {
    const client = await registerPublicClient(server.url);
    const { refreshToken } = await insertGrant(server, {
      scopes: SCOPES.map((scope) => scope.name),
      clientId: client.client_id,
      refreshExpiresIn: -60,
    });
    const result = await refresh(server.url, client, refreshToken);
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_grant');
  });
});

describe('flow rule token-lifetimes: ACCESS_TOKEN_TTL and REFRESH_TOKEN_TTL are configurable', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ACCESS_TOKEN_TTL: '120', REFRESH_TOKEN_TTL: '86400' });
  });
  afterAll(() => server.close());

  it('the code grant uses the configured lifetimes', async () => {
    const { tokens } = await grantTokens(server);
    expect(tokens.expires_in).toBe(120);
    const lifetimes = await storedLifetimes(server, tokens.access_token, tokens.refresh_token);
    expect(Math.abs(lifetimes.access - 120)).toBeLessThanOrEqual(5);
    expect(Math.abs(lifetimes.refresh - 86400)).toBeLessThanOrEqual(5);
  });

  it('the refresh grant uses the configured lifetimes', async () => {
    const { client, tokens } = await grantTokens(server);
    const refreshed = await refresh(server.url, client, tokens.refresh_token);
    expect(refreshed.json.expires_in).toBe(120);
    const lifetimes = await storedLifetimes(
      server,
      refreshed.json.access_token,
      refreshed.json.refresh_token,
    );
    expect(Math.abs(lifetimes.access - 120)).toBeLessThanOrEqual(5);
    expect(Math.abs(lifetimes.refresh - 86400)).toBeLessThanOrEqual(5);
  });
});
