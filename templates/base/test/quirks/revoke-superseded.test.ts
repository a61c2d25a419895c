import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, whoami } from '../helpers/mcp.js';
import { grantTokens, refresh, revoke } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('quirk revoke-superseded: revoking a rotated-out refresh token invalidates only that token', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('revoking the refresh token just replaced leaves the grant and its current tokens working', async () => {
    const { client, tokens } = await grantTokens(server);
    const rotated = await refresh(server.url, client, tokens.refresh_token);
    expect(rotated.status).toBe(200);

    const revoked = await revoke(server.url, client, tokens.refresh_token, 'refresh_token');
    expect(revoked.status).toBe(200);

    expect((await whoami(server.url, rotated.json.access_token)).userId).toBe(server.user.userId);
    // The access token issued with the revoked refresh token is still valid until it expires.
    await whoami(server.url, tokens.access_token);
    const next = await refresh(server.url, client, rotated.json.refresh_token);
    expect(next.status).toBe(200);
    await whoami(server.url, next.json.access_token);
  });

  it('the revoked token itself no longer answers, even inside the grace window', async () => {
    const { client, tokens } = await grantTokens(server);
    const rotated = await refresh(server.url, client, tokens.refresh_token);
    await revoke(server.url, client, tokens.refresh_token);

    const again = await refresh(server.url, client, tokens.refresh_token);
    expect(again.status).toBe(400);
    expect(again.json.error).toBe('invalid_grant');
    // Presenting a retired token is reuse (RFC 9700 §4.14.2): the grant ends with it.
    expect((await callTool(server.url, rotated.json.access_token, 'whoami')).status).toBe(401);
  });

  it('the Claude Code pattern: refresh, revoke the replaced token, and carry on, again and again', async () => {
    const { client, tokens } = await grantTokens(server);
    let current = tokens;
    for (let round = 0; round < 4; round += 1) {
      const next = await refresh(server.url, client, current.refresh_token);
      expect(next.status).toBe(200);
      expect((await revoke(server.url, client, current.refresh_token)).status).toBe(200);
      current = next.json;
      expect((await whoami(server.url, current.access_token)).userId).toBe(server.user.userId);
    }
  });

  it('revoking the current refresh token still revokes the grant', async () => {
    const { client, tokens } = await grantTokens(server);
    const rotated = await refresh(server.url, client, tokens.refresh_token);

    expect((await revoke(server.url, client, rotated.json.refresh_token)).status).toBe(200);

    expect((await callTool(server.url, rotated.json.access_token, 'whoami')).status).toBe(401);
    expect((await callTool(server.url, tokens.access_token, 'whoami')).status).toBe(401);
    expect((await refresh(server.url, client, rotated.json.refresh_token)).json.error).toBe(
      'invalid_grant',
    );
  });

  it('a refresh never revokes still-valid access tokens of the same grant', async () => {
    const { client, tokens } = await grantTokens(server);
    const accessTokens = [tokens.access_token];
    let refreshToken = tokens.refresh_token;
    for (let round = 0; round < 3; round += 1) {
      const next = await refresh(server.url, client, refreshToken);
      expect(next.status).toBe(200);
      accessTokens.push(next.json.access_token);
      refreshToken = next.json.refresh_token;
    }
    for (const accessToken of accessTokens) {
      expect((await whoami(server.url, accessToken)).userId).toBe(server.user.userId);
    }
  });
});
