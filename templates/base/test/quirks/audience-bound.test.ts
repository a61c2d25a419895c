import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/oauth/crypto.js';
import { SCOPES } from '../../src/oauth/scopes.js';
import { insertGrant } from '../helpers/tokens.js';
import { parseChallenge } from '../helpers/headers.js';
import { callTool, whoami } from '../helpers/mcp.js';
import { grantTokens } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('quirk audience-bound: /mcp accepts only tokens issued for its canonical resource', () => {
  let server: TestServer;
  let other: TestServer;

  beforeAll(async () => {
    [server, other] = await Promise.all([startTestServer(), startTestServer()]);
  });
  afterAll(async () => {
    await Promise.all([server.close(), other.close()]);
  });

  it('stores every issued token with the canonical resource as its audience', async () => {
    const { tokens } = await grantTokens(server);
    const stored = await server.store.findAccessToken(
      sha256(tokens.access_token),
      Math.floor(Date.now() / 1000),
    );
    expect(stored?.resource).toBe(server.resource);
    expect((await whoami(server.url, tokens.access_token)).userId).toBe(server.user.userId);
  });

  it('rejects a token whose audience is another resource with 401 invalid_token', async () => {
    const { accessToken } = await insertGrant(server, {
      scopes: SCOPES.map((scope) => scope.name),
      resource: 'https://other.example.com/mcp',
    });
    const result = await callTool(server.url, accessToken, 'whoami');
    expect(result.status).toBe(401);
    expect(parseChallenge(result.headers.get('www-authenticate')).params.error).toBe(
      'invalid_token',
    );
  });

  it("rejects a token issued by another server (another deployment's audience)", async () => {
    const { tokens } = await grantTokens(other);
    const result = await callTool(server.url, tokens.access_token, 'whoami');
    expect(result.status).toBe(401);
  });

  it('the same token keeps working where it was issued', async () => {
    const { tokens } = await grantTokens(other);
    expect((await whoami(other.url, tokens.access_token)).userId).toBe(other.user.userId);
  });
});
