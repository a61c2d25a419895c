import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsp } from '../helpers/headers.js';
import { whoami } from '../helpers/mcp.js';
import {
  authorizeCode,
  exchangeCode,
  pkcePair,
  randomState,
  refresh,
  registerClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CURSOR_CALLBACK = 'cursor://anysphere.cursor-mcp/oauth/callback';
const WEB_CALLBACK = 'https://www.cursor.com/agents/mcp/oauth/callback';
const LOCAL_CALLBACK = 'http://localhost:8787/callback';

describe('client Cursor: DCR with a private-use scheme, an https and a loopback redirect', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('registers all three redirect URIs in one registration (one rejection would fail everything)', async () => {
    client = await registerClient(server.url, {
      client_name: 'Cursor',
      redirect_uris: [CURSOR_CALLBACK, WEB_CALLBACK, LOCAL_CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    expect(client.redirect_uris).toEqual([CURSOR_CALLBACK, WEB_CALLBACK, LOCAL_CALLBACK]);
  });

  it('the consent page lets the browser follow the redirect to cursor://', async () => {
    const page = await sharedBrowser(server).openConsent({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: CURSOR_CALLBACK,
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
      state: randomState(),
    });
    expect(
      parseCsp(page.response.headers.get('content-security-policy')).get('form-action'),
    ).toContain('cursor:');
  });

  it('completes the flow through cursor:// and calls whoami', async () => {
    const code = await authorizeCode(sharedBrowser(server), client, {
      redirectUri: CURSOR_CALLBACK,
      resource: server.resource,
    });
    expect(code.location.href.startsWith(`${CURSOR_CALLBACK}?`)).toBe(true);
    const tokens = await exchangeCode(server.url, client, { ...code, resource: server.resource });
    expect(tokens.status).toBe(200);
    expect((await whoami(server.url, tokens.json.access_token)).clientId).toBe(client.client_id);
    expect((await refresh(server.url, client, tokens.json.refresh_token)).status).toBe(200);
  });

  for (const redirectUri of [WEB_CALLBACK, LOCAL_CALLBACK]) {
    it(`completes the flow through ${redirectUri}`, async () => {
      const code = await authorizeCode(sharedBrowser(server), client, { redirectUri });
      const tokens = await exchangeCode(server.url, client, code);
      expect(tokens.status).toBe(200);
      await whoami(server.url, tokens.json.access_token);
    });
  }

  it('reads OAuth errors as JSON, never an HTML page', async () => {
    const result = await exchangeCode(server.url, client, {
      code: 'bogus',
      verifier: pkcePair().verifier,
      redirectUri: CURSOR_CALLBACK,
    });
    expect(result.status).toBe(400);
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    expect(result.json).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
  });
});
