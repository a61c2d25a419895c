import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeParams,
  registerPublicClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('quirk consent-302: the consent POST answers 302 Found, never 303', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, [
      'https://app.example.com/callback',
      'https://app.example.com/cb?tenant=7',
    ]);
  });
  afterAll(() => server.close());

  function params(redirectUri = 'https://app.example.com/callback') {
    return authorizeParams(client.client_id, redirectUri);
  }

  it('approve answers exactly 302 with code and state in Location', async () => {
    const browser = sharedBrowser(server);
    const request = params();
    const response = await browser.decide(await browser.openConsent(request));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example.com/callback');
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(location.searchParams.get('state')).toBe(request.state);
  });

  it('deny answers exactly 302 with error=access_denied and the state', async () => {
    const browser = sharedBrowser(server);
    const request = params();
    const response = await browser.decide(await browser.openConsent(request), { decision: 'deny' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe(request.state);
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('keeps the query of a registered redirect URI and appends code and state', async () => {
    const browser = sharedBrowser(server);
    const request = params('https://app.example.com/cb?tenant=7');
    const response = await browser.decide(await browser.openConsent(request));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.pathname).toBe('/cb');
    expect(location.searchParams.get('tenant')).toBe('7');
    expect(location.searchParams.get('code')).toBeTruthy();
    expect(location.searchParams.get('state')).toBe(request.state);
  });

  it('the consent form posted to the root alias /authorize also answers 302', async () => {
    const browser = sharedBrowser(server);
    const page = await browser.openConsent(params());
    const response = await browser.decide({
      ...page,
      form: { ...page.form, action: '/authorize' },
    });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('a trailing slash on the consent POST is the same route, not a 301/308', async () => {
    const browser = sharedBrowser(server);
    const page = await browser.openConsent(params());
    const response = await browser.decide({
      ...page,
      form: { ...page.form, action: '/oauth/authorize/' },
    });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });
});
