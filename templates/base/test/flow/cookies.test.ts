import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCookies, type SetCookie } from '../helpers/headers.js';
import {
  Browser,
  authorizeUrl,
  pkcePair,
  randomState,
  registerPublicClient,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

interface Setup {
  server: TestServer;
  client: RegisteredClient;
}

async function setup(env: Record<string, string> = {}): Promise<Setup> {
  const server = await startTestServer(env);
  return { server, client: await registerPublicClient(server.url, [REDIRECT]) };
}

/** The cookies a browser receives on the login page, and after signing in. */
async function loginCookies({ server, client }: Setup, password?: string) {
  const browser = new Browser(server);
  const page = await browser.get(
    authorizeUrl(server.url, {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
      state: randomState(),
    }),
  );
  const html = await page.text();
  const login = await browser.submitLogin(html, password === undefined ? {} : { password });
  return { page: setCookies(page), login: setCookies(login), loginResponse: login };
}

function expectBaseAttributes(cookie: SetCookie | undefined): void {
  expect(cookie).toBeDefined();
  expect(cookie!.attributes.has('httponly')).toBe(true);
  expect(cookie!.attributes.get('samesite')?.toLowerCase()).toBe('lax');
  expect(cookie!.attributes.get('path')).toBe('/');
  expect(cookie!.attributes.has('domain')).toBe(false);
}

describe('flow rule cookies: HttpOnly, SameSite=Lax, Path=/ over http', () => {
  let plain: Setup;

  beforeAll(async () => {
    plain = await setup();
  });
  afterAll(() => plain.server.close());

  it('the login page sets the CSRF cookie mcp_csrf', async () => {
    const { page } = await loginCookies(plain);
    const csrf = page.find((cookie) => cookie.name === 'mcp_csrf');
    expectBaseAttributes(csrf);
  });

  it('signing in sets the session cookie mcp_session (no Secure on plain http)', async () => {
    const { login, loginResponse } = await loginCookies(plain);
    expect(loginResponse.status).toBe(302);
    const session = login.find((cookie) => cookie.name === 'mcp_session');
    expectBaseAttributes(session);
    expect(session!.attributes.has('secure')).toBe(false);
  });

  it('a wrong password sets no session cookie and answers 401 with the login page', async () => {
    const { login, loginResponse } = await loginCookies(plain, 'not-the-password');
    expect(loginResponse.status).toBe(401);
    expect(login.some((cookie) => cookie.name.endsWith('mcp_session'))).toBe(false);
  });
});

describe('flow rule cookies: __Host- prefix and Secure when PUBLIC_URL is https', () => {
  let secure: Setup;

  beforeAll(async () => {
    secure = await setup({ PUBLIC_URL: 'https://mcp.example.test' });
  });
  afterAll(() => secure.server.close());

  it('the CSRF cookie is __Host-mcp_csrf with Secure', async () => {
    const { page } = await loginCookies(secure);
    const csrf = page.find((cookie) => cookie.name === '__Host-mcp_csrf');
    expectBaseAttributes(csrf);
    expect(csrf!.attributes.has('secure')).toBe(true);
    expect(page.some((cookie) => cookie.name === 'mcp_csrf')).toBe(false);
  });

  it('the session cookie is __Host-mcp_session with Secure', async () => {
    const { login, loginResponse } = await loginCookies(secure);
    expect(loginResponse.status).toBe(302);
    const session = login.find((cookie) => cookie.name === '__Host-mcp_session');
    expectBaseAttributes(session);
    expect(session!.attributes.has('secure')).toBe(true);
  });
});
