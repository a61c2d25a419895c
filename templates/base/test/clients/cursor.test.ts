import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CURSOR_REDIRECTS,
  CURSOR_REGISTRATION,
  connectAndRefresh,
} from '../helpers/client-profiles.js';
import { parseCsp } from '../helpers/headers.js';
import {
  authorizeParams,
  exchangeCode,
  pkcePair,
  register,
  registerClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const [CURSOR_CALLBACK] = CURSOR_REDIRECTS;

describe('client Cursor: DCR with a private-use scheme, an https and a loopback redirect', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('registers all three redirect URIs in one registration (one rejection would fail everything)', async () => {
    client = await registerClient(server.url, CURSOR_REGISTRATION);
    expect(client.redirect_uris).toEqual([...CURSOR_REDIRECTS]);
  });

  it('the consent page lets the browser follow the redirect to cursor://', async () => {
    const page = await sharedBrowser(server).openConsent(
      authorizeParams(client.client_id, CURSOR_CALLBACK),
    );
    expect(
      parseCsp(page.response.headers.get('content-security-policy')).get('form-action'),
    ).toContain('cursor:');
  });

  for (const redirectUri of CURSOR_REDIRECTS) {
    it(`completes the flow through ${redirectUri}`, async () => {
      const { callback } = await connectAndRefresh(server, client, {
        redirectUri,
        resource: server.resource,
      });
      expect(callback.href.startsWith(`${redirectUri}?`)).toBe(true);
    });
  }

  it('a registration with one unacceptable redirect URI is refused as a whole, as JSON', async () => {
    const result = await register(server.url, {
      ...CURSOR_REGISTRATION,
      redirect_uris: [...CURSOR_REDIRECTS, 'javascript:alert(1)'],
    });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_redirect_uri');
  });

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
