import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findForm, submission } from '../helpers/html.js';
import {
  Browser,
  authorizeUrl,
  pkcePair,
  postForm,
  randomState,
  register,
  type HttpResult,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function expectRateLimited(result: { status: number; headers: Headers }): void {
  expect(result.status).toBe(429);
  const retryAfter = Number(result.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

function expectJsonRateLimited(result: HttpResult): void {
  expectRateLimited(result);
  expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  expect(result.json.error).toEqual(expect.any(String));
}

const REGISTRATION = {
  redirect_uris: ['http://127.0.0.1/callback'],
  token_endpoint_auth_method: 'none',
};

describe('flow rule rate-limits: /register, /token and the login POST are limited per client address', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      RATE_LIMIT_REGISTER: '3',
      RATE_LIMIT_TOKEN: '3',
      RATE_LIMIT_LOGIN: '2',
    });
  });
  afterAll(() => server.close());

  it('the request over RATE_LIMIT_REGISTER is 429 JSON with Retry-After, aliases included', async () => {
    expect((await register(server.url, REGISTRATION)).status).toBe(201);
    expect((await register(server.url, REGISTRATION)).status).toBe(201);
    expect((await postForm(`${server.url}/register`, {})).status).toBe(400);
    expectJsonRateLimited(await register(server.url, REGISTRATION));
  });

  it('the request over RATE_LIMIT_TOKEN is 429 JSON with Retry-After', async () => {
    const fields = { grant_type: 'refresh_token', client_id: 'whoever', refresh_token: 'x' };
    for (let i = 0; i < 3; i++)
      expect((await postForm(`${server.url}/oauth/token`, fields)).status).not.toBe(429);
    expectJsonRateLimited(await postForm(`${server.url}/oauth/token`, fields));
    expectJsonRateLimited(await postForm(`${server.url}/token`, fields));
  });

  it('the login POST over RATE_LIMIT_LOGIN is 429 with Retry-After, before the password is checked', async () => {
    const client = await storeClient(server);
    const browser = new Browser(server);
    const html = await (
      await browser.get(
        authorizeUrl(server.url, {
          response_type: 'code',
          client_id: client,
          redirect_uri: 'http://127.0.0.1/callback',
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
          state: randomState(),
        }),
      )
    ).text();
    const form = findForm(html, '/oauth/login')!;
    const wrong = submission(form, {
      values: { email: browser.account.email, password: 'wrong-password-1' },
    });
    expect((await browser.post(form.action, wrong)).status).toBe(401);
    expect((await browser.post(form.action, wrong)).status).toBe(401);
    const right = submission(form, {
      values: { email: browser.account.email, password: browser.account.password },
    });
    expectRateLimited(await browser.post(form.action, right));
  });
});

/** Registers a client on a server whose register limit may be spent: straight through the store. */
async function storeClient(server: TestServer): Promise<string> {
  const clientId = `rate-limit-client-${randomState()}`;
  await server.store.createClient({
    clientId,
    clientSecretHash: null,
    clientName: 'Rate limit test',
    redirectUris: ['http://127.0.0.1/callback'],
    grantTypes: ['authorization_code', 'refresh_token'],
    responseTypes: ['code'],
    tokenEndpointAuthMethod: 'none',
    metadata: {},
    createdAt: Math.floor(Date.now() / 1000),
  });
  return clientId;
}
