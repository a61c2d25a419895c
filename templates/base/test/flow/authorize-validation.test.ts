import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findForm, linkTargets } from '../helpers/html.js';
import {
  authorizeParams,
  Browser,
  authorizeUrl,
  registerPublicClient,
  sharedBrowser,
  type AuthorizeParams,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

describe('flow rule authorize-validation: client_id and redirect_uri are checked before any redirect', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, [REDIRECT]);
    // Signs the shared browser in, so that "signed in or not" below really covers both.
    await sharedBrowser(server).openConsent(authorizeParams(client.client_id, REDIRECT));
  });
  afterAll(() => server.close());

  function params(
    overrides: Partial<Record<keyof AuthorizeParams, string | undefined>> = {},
  ): AuthorizeParams {
    return authorizeParams(client.client_id, REDIRECT, overrides);
  }

  async function expectErrorPage(request: AuthorizeParams): Promise<void> {
    for (const browser of [new Browser(server), sharedBrowser(server)]) {
      const response = await browser.get(authorizeUrl(server.url, request));
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await response.text();
      expect(findForm(html, '/oauth/login')).toBeUndefined();
      expect(findForm(html, '/oauth/authorize')).toBeUndefined();
    }
  }

  it('shows a 400 page for an unknown client_id, signed in or not', async () => {
    await expectErrorPage(params({ client_id: 'no-such-client' }));
  });

  it('shows a 400 page for a missing client_id', async () => {
    await expectErrorPage(params({ client_id: undefined }));
  });

  it('shows a 400 page for a redirect_uri the client did not register (no open redirect)', async () => {
    await expectErrorPage(params({ redirect_uri: 'https://evil.example/steal' }));
  });

  it('shows a 400 page, not a redirect, even when other parameters are wrong too', async () => {
    await expectErrorPage(
      params({
        redirect_uri: 'https://evil.example/steal',
        response_type: 'token',
        code_challenge: undefined,
      }),
    );
  });

  /**
   * An error in a request whose client and redirect_uri are known: our own 400 page, never a redirect,
   * with one link to the client's redirect URI carrying the error response for the user to follow.
   */
  async function expectPageWithReturnLink(
    browser: Browser,
    request: AuthorizeParams,
    redirectUri = REDIRECT,
  ): Promise<URL> {
    const response = await browser.get(authorizeUrl(server.url, request));
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    const html = await response.text();
    expect(html).not.toMatch(/http-equiv/i);
    expect(findForm(html, '/oauth/authorize')).toBeUndefined();
    const links = linkTargets(html);
    expect(links).toHaveLength(1);
    const link = new URL(links[0]!);
    expect(`${link.origin}${link.pathname}`).toBe(redirectUri);
    expect(link.searchParams.get('state')).toBe(request.state);
    return link;
  }

  const preSignInErrors: [name: string, overrides: Partial<AuthorizeParams>, error: string][] = [
    ['an unsupported response_type', { response_type: 'token' }, 'unsupported_response_type'],
    ['a missing code_challenge', { code_challenge: undefined }, 'invalid_request'],
    ['code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['a 42-character code_challenge', { code_challenge: 'a'.repeat(42) }, 'invalid_request'],
    ['a foreign resource', { resource: 'https://elsewhere.example/mcp' }, 'invalid_target'],
  ];
  for (const [name, overrides, error] of preSignInErrors) {
    it(`rule open-redirect: ${name} is shown on our page (400) with a link back, signed in or not`, async () => {
      for (const browser of [new Browser(server), sharedBrowser(server)]) {
        const request = authorizeParams(client.client_id, REDIRECT, overrides);
        const link = await expectPageWithReturnLink(browser, request);
        expect(link.searchParams.get('error')).toBe(error);
        expect(link.searchParams.get('error_description')).toEqual(expect.any(String));
      }
    });
  }

  it('rule open-redirect: a client anyone registered for https://evil.example/cb gets a page, not a 302', async () => {
    const evil = await registerPublicClient(server.url, ['https://evil.example/cb'], {
      client_name: 'Totally legit',
    });
    const request = authorizeParams(evil.client_id, 'https://evil.example/cb', {
      response_type: 'bogus',
    });
    for (const browser of [new Browser(server), sharedBrowser(server)]) {
      const link = await expectPageWithReturnLink(browser, request, 'https://evil.example/cb');
      expect(link.searchParams.get('error')).toBe('unsupported_response_type');
    }
  });

  it('rule open-redirect: prompt=none never redirects on its own, signed in or not', async () => {
    const signedOut = await expectPageWithReturnLink(
      new Browser(server),
      params({ prompt: 'none' }),
    );
    expect(signedOut.searchParams.get('error')).toBe('login_required');
    const signedIn = await expectPageWithReturnLink(
      sharedBrowser(server),
      params({ prompt: 'none' }),
    );
    expect(signedIn.searchParams.get('error')).toBe('consent_required');
  });

  it("rule open-redirect: the user's own decision after sign-in redirects: Deny gives access_denied and the state", async () => {
    const request = params();
    const { location } = await sharedBrowser(server).authorize(request, { decision: 'deny' });
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe(request.state);
  });

  it('rule open-redirect: leaving every scope unchecked redirects with access_denied and the state', async () => {
    const request = params();
    const { location } = await sharedBrowser(server).authorize(request, { scopes: [] });
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe(request.state);
  });

  it('a valid request without a session shows the login page (200) at /oauth/authorize, /authorize and with a trailing slash', async () => {
    for (const path of ['/oauth/authorize', '/authorize', '/oauth/authorize/']) {
      const response = await new Browser(server).get(authorizeUrl(server.url, params(), path));
      expect(response.status, path).toBe(200);
      expect(findForm(await response.text(), '/oauth/login'), path).toBeDefined();
    }
  });

  it('a valid request with a session shows the consent page', async () => {
    const page = await sharedBrowser(server).openConsent(params());
    expect(page.response.status).toBe(200);
    expect(page.form.method).toBe('post');
  });
});
