import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeCode,
  authorizeUrl,
  exchangeCode,
  linkedErrorResponse,
  pkcePair,
  randomState,
  registerPublicClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

describe('flow rule pkce-s256: PKCE is required and only S256 is accepted', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, [REDIRECT]);
  });
  afterAll(() => server.close());

  async function authorizeError(
    overrides: Record<string, string | undefined>,
  ): Promise<URLSearchParams> {
    const state = randomState();
    const response = await sharedBrowser(server).get(
      authorizeUrl(server.url, {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        state,
        ...overrides,
      }),
    );
    // Shown on our page with a link back, never redirected (flow rule open-redirect).
    const params = (await linkedErrorResponse(response)).searchParams;
    expect(params.get('state')).toBe(state);
    expect(params.has('code')).toBe(false);
    return params;
  }

  it('refuses code_challenge_method=plain with invalid_request', async () => {
    const { challenge } = pkcePair();
    const params = await authorizeError({
      code_challenge: challenge,
      code_challenge_method: 'plain',
    });
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('error_description')).toEqual(expect.any(String));
  });

  it('refuses a missing code_challenge with invalid_request', async () => {
    expect((await authorizeError({ code_challenge: undefined })).get('error')).toBe(
      'invalid_request',
    );
  });

  it('refuses a missing code_challenge_method (it would mean plain) with invalid_request', async () => {
    expect((await authorizeError({ code_challenge_method: undefined })).get('error')).toBe(
      'invalid_request',
    );
  });

  it('refuses a challenge that is not a base64url SHA-256 digest', async () => {
    expect((await authorizeError({ code_challenge: 'too-short' })).get('error')).toBe(
      'invalid_request',
    );
  });

  it('the token endpoint refuses a wrong code_verifier with invalid_grant', async () => {
    const code = await authorizeCode(sharedBrowser(server), client);
    const result = await exchangeCode(server.url, client, {
      ...code,
      verifier: pkcePair().verifier,
    });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_grant');
  });

  it('the token endpoint refuses a missing code_verifier with invalid_request', async () => {
    const code = await authorizeCode(sharedBrowser(server), client);
    const result = await exchangeCode(server.url, client, { ...code, verifier: '' });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_request');
  });

  it('the token endpoint refuses the challenge itself sent as the verifier (plain downgrade)', async () => {
    const pkce = pkcePair();
    const browser = sharedBrowser(server);
    const { location } = await browser.authorize({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      state: randomState(),
    });
    const result = await exchangeCode(server.url, client, {
      code: location.searchParams.get('code')!,
      verifier: pkce.challenge,
      redirectUri: REDIRECT,
    });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_grant');
  });

  it('the right S256 verifier gets tokens', async () => {
    const code = await authorizeCode(sharedBrowser(server), client);
    const result = await exchangeCode(server.url, client, code);
    expect(result.status).toBe(200);
  });
});
