import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findForm, submission } from '../helpers/html.js';
import {
  authorizeParams,
  Browser,
  authorizeUrl,
  registerPublicClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const META = '<meta name="referrer" content="same-origin">';

describe('quirk consent-referrer: Referrer-Policy same-origin, and the same-origin Origin passes CSRF', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, ['https://app.example.com/callback']);
  });
  afterAll(() => server.close());

  function params() {
    return authorizeParams(client.client_id, 'https://app.example.com/callback');
  }

  it('the login page sends Referrer-Policy: same-origin as a header and a meta tag', async () => {
    const response = await new Browser(server).get(authorizeUrl(server.url, params()));
    expect(response.status).toBe(200);
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    expect(await response.text()).toContain(META);
  });

  it('the consent page sends Referrer-Policy: same-origin as a header and a meta tag', async () => {
    const page = await sharedBrowser(server).openConsent(params());
    expect(page.response.headers.get('referrer-policy')).toBe('same-origin');
    expect(page.html).toContain(META);
  });

  it('the login POST with the same-origin Origin is accepted', async () => {
    const browser = new Browser(server);
    const html = await (await browser.get(authorizeUrl(server.url, params()))).text();
    const response = await browser.submitLogin(html);
    expect(response.status).toBe(302);
  });

  it('the consent POST with the same-origin Origin is accepted', async () => {
    const browser = sharedBrowser(server);
    const response = await browser.decide(
      await browser.openConsent(params()),
      {},
      { origin: new URL(server.issuer).origin },
    );
    expect(response.status).toBe(302);
  });

  it('the consent POST with Origin: null (what no-referrer produces) is refused with 403', async () => {
    const browser = sharedBrowser(server);
    const response = await browser.decide(
      await browser.openConsent(params()),
      {},
      { origin: 'null' },
    );
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
  });

  it('the login POST with Origin: null is refused with 403', async () => {
    const browser = new Browser(server);
    const html = await (await browser.get(authorizeUrl(server.url, params()))).text();
    const form = findForm(html, '/oauth/login')!;
    const fields = submission(form, {
      values: { email: browser.account.email, password: browser.account.password },
    });
    const response = await browser.post(form.action, fields, { origin: 'null' });
    expect(response.status).toBe(403);
  });
});
