import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsp } from '../helpers/headers.js';
import {
  authorizeParams,
  Browser,
  authorizeUrl,
  registerPublicClient,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

function expectPageHeaders(response: Response): void {
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(parseCsp(response.headers.get('content-security-policy')).get('frame-ancestors')).toEqual([
    "'none'",
  ]);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
}

describe('flow rule security-headers: pages cannot be framed or sniffed', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, [REDIRECT]);
  });
  afterAll(() => server.close());

  function params(overrides: Record<string, string> = {}) {
    return authorizeParams(client.client_id, REDIRECT, overrides);
  }

  it('the login page', async () => {
    const response = await new Browser(server).get(authorizeUrl(server.url, params()));
    expect(response.status).toBe(200);
    expectPageHeaders(response);
  });

  it('the login page after a failed attempt (401)', async () => {
    const browser = new Browser(server);
    const html = await (await browser.get(authorizeUrl(server.url, params()))).text();
    const response = await browser.submitLogin(html, { password: 'not-the-password' });
    expect(response.status).toBe(401);
    expectPageHeaders(response);
  });

  it('the consent page', async () => {
    const page = await new Browser(server).openConsent(params());
    expectPageHeaders(page.response);
  });

  it('the 400 error page', async () => {
    const response = await new Browser(server).get(
      authorizeUrl(server.url, params({ client_id: 'nope' })),
    );
    expect(response.status).toBe(400);
    expectPageHeaders(response);
  });

  it('the 403 CSRF refusal page', async () => {
    const browser = new Browser(server);
    const page = await browser.openConsent(params());
    const response = await browser.decide(page, {}, { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expectPageHeaders(response);
  });

  it('JSON endpoints say nosniff too', async () => {
    const response = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token',
    });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
