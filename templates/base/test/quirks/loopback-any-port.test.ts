import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeCode,
  authorizeUrl,
  exchangeCode,
  pkcePair,
  randomState,
  registerPublicClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('quirk loopback-any-port: loopback redirects match on any port, everything else exactly', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, [
      'http://127.0.0.1/callback',
      'http://localhost:33418/oauth/callback',
      'http://[::1]:5000/cb',
      'https://app.example.com/callback',
    ]);
  });
  afterAll(() => server.close());

  async function authorizeStatus(
    redirectUri: string,
  ): Promise<{ status: number; location: string | null }> {
    const response = await sharedBrowser(server).get(
      authorizeUrl(server.url, {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: redirectUri,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        state: randomState(),
      }),
    );
    return { status: response.status, location: response.headers.get('location') };
  }

  for (const redirectUri of [
    'http://127.0.0.1:54321/callback',
    'http://127.0.0.1/callback',
    'http://localhost:49152/oauth/callback',
    'http://[::1]:61000/cb',
  ]) {
    it(`accepts ${redirectUri} and redirects to exactly that URI`, async () => {
      const code = await authorizeCode(sharedBrowser(server), client, { redirectUri });
      expect(`${code.location.origin}${code.location.pathname}`).toBe(redirectUri);
      const tokens = await exchangeCode(server.url, client, code);
      expect(tokens.status).toBe(200);
    });
  }

  it('refuses a loopback redirect with a different path (400 page, no redirect)', async () => {
    const result = await authorizeStatus('http://127.0.0.1:54321/other');
    expect(result.status).toBe(400);
    expect(result.location).toBeNull();
  });

  it('refuses a loopback redirect with an added query', async () => {
    const result = await authorizeStatus('http://127.0.0.1:54321/callback?next=/admin');
    expect(result.status).toBe(400);
    expect(result.location).toBeNull();
  });

  it('refuses a non-loopback https redirect on another port', async () => {
    const result = await authorizeStatus('https://app.example.com:8443/callback');
    expect(result.status).toBe(400);
    expect(result.location).toBeNull();
  });

  it('refuses https on a loopback host name when http was registered', async () => {
    const result = await authorizeStatus('https://127.0.0.1:54321/callback');
    expect(result.status).toBe(400);
  });

  it('the token request must use the same redirect_uri, port included, as the authorization request', async () => {
    const code = await authorizeCode(sharedBrowser(server), client, {
      redirectUri: 'http://127.0.0.1:50001/callback',
    });
    const result = await exchangeCode(server.url, client, {
      ...code,
      redirectUri: 'http://127.0.0.1:50002/callback',
    });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_grant');
  });
});
