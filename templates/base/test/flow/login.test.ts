import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findForm } from '../helpers/html.js';
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

describe('flow rule login: the built-in account login in front of consent', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, [REDIRECT]);
  });
  afterAll(() => server.close());

  async function loginPage(browser: Browser): Promise<string> {
    const response = await browser.get(
      authorizeUrl(server.url, {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        state: randomState(),
      }),
    );
    expect(response.status).toBe(200);
    return response.text();
  }

  /** The text of the page without markup, to compare error messages. */
  function visibleText(html: string): string {
    return html
      .replace(/<style[\s\S]*?<\/style>/g, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
  }

  it('the login form carries email, password, csrf_token and return_to', async () => {
    const form = findForm(await loginPage(new Browser(server)), '/oauth/login')!;
    expect(form.method).toBe('post');
    const names = form.fields.map((field) => field.name);
    expect(names).toEqual(expect.arrayContaining(['email', 'password', 'csrf_token', 'return_to']));
  });

  it('a successful login redirects (302) back to the authorization request', async () => {
    const browser = new Browser(server);
    const response = await browser.submitLogin(await loginPage(browser));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!, server.issuer);
    expect(location.origin).toBe(new URL(server.issuer).origin);
    expect(location.pathname).toBe('/oauth/authorize');
    expect(location.searchParams.get('client_id')).toBe(client.client_id);
  });

  it('the email is matched case-insensitively', async () => {
    const browser = new Browser(server);
    const response = await browser.submitLogin(await loginPage(browser), {
      email: browser.account.email.toUpperCase(),
    });
    expect(response.status).toBe(302);
  });

  it('a wrong password and an unknown email get the same 401 answer', async () => {
    const wrongPasswordBrowser = new Browser(server);
    const wrongPassword = await wrongPasswordBrowser.submitLogin(
      await loginPage(wrongPasswordBrowser),
      {
        password: 'not-the-password',
      },
    );
    const unknownBrowser = new Browser(server);
    const unknownEmail = await unknownBrowser.submitLogin(await loginPage(unknownBrowser), {
      email: 'nobody@example.com',
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    const wrongText = visibleText(await wrongPassword.text());
    const unknownText = visibleText(await unknownEmail.text());
    // Same message; only the echoed email may differ.
    expect(wrongText.replace(wrongPasswordBrowser.account.email, 'EMAIL')).toBe(
      unknownText.replace('nobody@example.com', 'EMAIL'),
    );
  });

  it('a failed login shows the login form again, ready for another try', async () => {
    const browser = new Browser(server);
    const failed = await browser.submitLogin(await loginPage(browser), {
      password: 'not-the-password',
    });
    const html = await failed.text();
    expect(findForm(html, '/oauth/login')).toBeDefined();
    const retry = await browser.submitLogin(html);
    expect(retry.status).toBe(302);
  });

  it('return_to cannot send the user to another site after login (400, no redirect)', async () => {
    for (const returnTo of [
      'https://evil.example/phish',
      '//evil.example/phish',
      '/somewhere-else',
    ]) {
      const browser = new Browser(server);
      const response = await browser.submitLogin(await loginPage(browser), { return_to: returnTo });
      expect(response.status, returnTo).toBe(400);
      expect(response.headers.get('location'), returnTo).toBeNull();
    }
  });
});
