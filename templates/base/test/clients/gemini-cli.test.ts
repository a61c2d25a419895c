import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whoami } from '../helpers/mcp.js';
import {
  authorizeCode,
  exchangeCode,
  getJson,
  refresh,
  registerClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'http://localhost:7777/oauth/callback';

describe('client Gemini CLI: DCR on localhost:7777 (sometimes another port), exact PRM resource', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('PRM resource equals the configured URL, which Gemini CLI checks before anything else', async () => {
    const configuredUrl = `${server.issuer}/mcp`;
    const prm = await getJson(`${server.url}/.well-known/oauth-protected-resource/mcp`);
    expect(prm.json.resource).toBe(configuredUrl);
  });

  it('registers with its callback', async () => {
    client = await registerClient(server.url, {
      client_name: 'Gemini CLI MCP Client',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    expect(client.redirect_uris).toEqual([REDIRECT]);
  });

  for (const redirectUri of [REDIRECT, 'http://localhost:41877/oauth/callback']) {
    it(`completes the flow through ${redirectUri} and calls whoami`, async () => {
      const code = await authorizeCode(sharedBrowser(server), client, {
        redirectUri,
        resource: server.resource,
      });
      const tokens = await exchangeCode(server.url, client, { ...code, resource: server.resource });
      expect(tokens.status).toBe(200);
      expect((await whoami(server.url, tokens.json.access_token)).clientId).toBe(client.client_id);
      expect((await refresh(server.url, client, tokens.json.refresh_token)).status).toBe(200);
    });
  }
});
