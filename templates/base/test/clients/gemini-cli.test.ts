import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GEMINI_CLI_REDIRECT,
  GEMINI_CLI_REGISTRATION,
  connectAndRefresh,
} from '../helpers/client-profiles.js';
import { getJson, registerClient, type RegisteredClient } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

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
    client = await registerClient(server.url, GEMINI_CLI_REGISTRATION);
    expect(client.redirect_uris).toEqual([GEMINI_CLI_REDIRECT]);
  });

  for (const redirectUri of [GEMINI_CLI_REDIRECT, 'http://localhost:41877/oauth/callback']) {
    it(`completes the flow through ${redirectUri}`, async () => {
      await connectAndRefresh(server, client, { redirectUri, resource: server.resource });
    });
  }
});
