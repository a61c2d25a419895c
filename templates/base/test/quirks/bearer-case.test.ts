import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpPost } from '../helpers/mcp.js';
import { grantTokens } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('quirk bearer-case: the Authorization scheme is case-insensitive', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer();
    token = (await grantTokens(server)).tokens.access_token;
  });
  afterAll(() => server.close());

  async function statusWith(authorization: string): Promise<number> {
    const response = await mcpPost(
      server.url,
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      { authorization },
    );
    await response.body?.cancel();
    return response.status;
  }

  for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
    it(`accepts "${scheme} <token>"`, async () => {
      expect(await statusWith(`${scheme} ${token}`)).toBe(200);
    });
  }

  it('rejects another scheme carrying the same token with 401', async () => {
    expect(await statusWith(`Basic ${token}`)).toBe(401);
  });

  it('rejects the token without a scheme with 401', async () => {
    expect(await statusWith(token)).toBe(401);
  });
});
