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
      RATE_LIMIT_TOKEN_PER_ADDRESS: '3',
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

  it('the request over RATE_LIMIT_TOKEN_PER_ADDRESS is 429 JSON with Retry-After, unknown clients included', async () => {
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

describe('flow rule rate-limits: the login POST is also limited per account, with backoff', () => {
  // The server's clock is `clock`. T is a multiple of 512 s and of 900 s, so the 2, 4, 8 … s
  // backoff slots and the 15-minute failure window all start at T.
  const T = Math.floor(Date.now() / 1000 / 115_200) * 115_200;
  let clock = T;
  let server: TestServer;
  let clientId: string;
  let knownBrowser: Browser;

  beforeAll(async () => {
    server = await startTestServer(
      { TRUST_PROXY: '1', RATE_LIMIT_LOGIN_ACCOUNT: '3', LOGIN_BACKOFF_MAX_SECONDS: '300' },
      { now: () => clock },
    );
    clientId = await storeClient(server);
  });
  afterAll(() => server.close());

  /** Posts the login form from `address` (behind one trusted proxy hop) with this password. */
  async function signIn(browser: Browser, password: string, address: string): Promise<Response> {
    const html = await (
      await browser.get(
        authorizeUrl(server.url, {
          response_type: 'code',
          client_id: clientId,
          redirect_uri: 'http://127.0.0.1/callback',
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
          state: randomState(),
        }),
      )
    ).text();
    const form = findForm(html, '/oauth/login')!;
    const fields = submission(form, { values: { email: browser.account.email, password } });
    return browser.post(form.action, fields, { 'x-forwarded-for': address });
  }

  const wrong = (browser: Browser, address: string) => signIn(browser, 'wrong-password-1', address);
  const right = (browser: Browser, address: string) =>
    signIn(browser, browser.account.password, address);

  it('rule rate-limits: after RATE_LIMIT_LOGIN_ACCOUNT failures the account waits, whatever the address', async () => {
    // The real user signed in from this browser before the attack; then the session ended.
    knownBrowser = new Browser(server);
    expect((await right(knownBrowser, '198.51.100.1')).status).toBe(302);
    knownBrowser.jar.cookies.delete('mcp_session');

    for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
      expect((await wrong(new Browser(server), address)).status).toBe(401);

    const throttled = await right(new Browser(server), '203.0.113.4');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
  });

  it('rule rate-limits: every further failure doubles the wait (2 s, 4 s, 8 s)', async () => {
    const waits = [];
    for (const at of [T + 2, T + 4, T + 8]) {
      clock = at;
      expect((await wrong(new Browser(server), '203.0.113.5')).status).toBe(401);
      const next = await right(new Browser(server), '203.0.113.6');
      expect(next.status).toBe(429);
      waits.push(next.headers.get('retry-after'));
    }
    expect(waits).toEqual(['2', '4', '8']);
  });

  it('rule rate-limits: a browser the account signed in from before is not slowed down, so no lockout of the real user', async () => {
    expect((await right(new Browser(server), '203.0.113.7')).status).toBe(429);
    expect((await right(knownBrowser, '198.51.100.1')).status).toBe(302);
  });

  it('rule rate-limits: a forged known-device cookie does not skip the wait', async () => {
    const [issuedAt] = knownBrowser.jar.cookies.get('mcp_known_device')!.split('.');
    const forged = new Browser(server);
    forged.jar.cookies.set('mcp_known_device', `${issuedAt}.${'0'.repeat(64)}`);
    expect((await right(forged, '203.0.113.9')).status).toBe(429);
  });

  it('rule rate-limits: the failures are forgotten after 15 minutes', async () => {
    clock = T + 900;
    expect((await right(new Browser(server), '203.0.113.8')).status).toBe(302);
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
