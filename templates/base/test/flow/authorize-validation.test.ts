import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findForm } from '../helpers/html.js';
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

  it('redirects later errors with error, error_description and state: unsupported response_type', async () => {
    const request = params({ response_type: 'token' });
    const response = await sharedBrowser(server).get(authorizeUrl(server.url, request));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    expect(location.searchParams.get('error_description')).toEqual(expect.any(String));
    expect(location.searchParams.get('state')).toBe(request.state);
  });

  it('redirects a bad resource with invalid_target and the state', async () => {
    const request = params({ resource: 'https://elsewhere.example/mcp' });
    const response = await sharedBrowser(server).get(authorizeUrl(server.url, request));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_target');
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
