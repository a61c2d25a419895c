import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findForm, parseForms, submission, type HtmlForm } from '../helpers/html.js';
import {
  authorizeParams,
  Browser,
  authorizeUrl,
  registerPublicClient,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

describe('flow rule csrf: every form carries a CSRF token and every form POST checks it', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, [REDIRECT]);
  });
  afterAll(() => server.close());

  function params() {
    return authorizeParams(client.client_id, REDIRECT);
  }

  async function loginForm(browser: Browser) {
    const html = await (await browser.get(authorizeUrl(server.url, params()))).text();
    return { html, form: findForm(html, '/oauth/login')! };
  }

  function loginFields(browser: Browser, form: HtmlForm, csrf?: string) {
    const fields = submission(form, {
      values: { email: browser.account.email, password: browser.account.password },
    }).filter(([name]) => name !== 'csrf_token');
    if (csrf !== undefined) fields.push(['csrf_token', csrf]);
    return fields;
  }

  it('the login and consent forms both carry a non-empty csrf_token', async () => {
    const browser = new Browser(server);
    const { html } = await loginForm(browser);
    const consent = await browser.openConsent(params());
    for (const form of [...parseForms(html), ...parseForms(consent.html)]) {
      const token = form.fields.find((field) => field.name === 'csrf_token');
      expect(token?.value, form.action).toMatch(/.{16,}/);
    }
  });

  it('login without csrf_token is 403 and sets no session', async () => {
    const browser = new Browser(server);
    const { form } = await loginForm(browser);
    const response = await browser.post(form.action, loginFields(browser, form));
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie().some((cookie) => cookie.includes('mcp_session'))).toBe(
      false,
    );
  });

  it('login with a wrong csrf_token is 403', async () => {
    const browser = new Browser(server);
    const { form } = await loginForm(browser);
    expect(
      (await browser.post(form.action, loginFields(browser, form, 'forged-token-value-123456')))
        .status,
    ).toBe(403);
  });

  it("login with another browser's csrf_token is 403 (the token is bound to the cookie)", async () => {
    const victim = new Browser(server);
    const attacker = new Browser(server);
    const { form: attackerForm } = await loginForm(attacker);
    const attackerToken = attackerForm.fields.find((field) => field.name === 'csrf_token')!.value;
    const { form } = await loginForm(victim);
    expect((await victim.post(form.action, loginFields(victim, form, attackerToken))).status).toBe(
      403,
    );
  });

  it('login from a foreign Origin is 403', async () => {
    const browser = new Browser(server);
    const { form } = await loginForm(browser);
    const fields = submission(form, {
      values: { email: browser.account.email, password: browser.account.password },
    });
    expect(
      (await browser.post(form.action, fields, { origin: 'https://evil.example' })).status,
    ).toBe(403);
  });

  it('consent without csrf_token is 403 and issues no code', async () => {
    const browser = new Browser(server);
    const page = await browser.openConsent(params());
    const fields = submission(page.form, { button: { name: 'decision', value: 'approve' } }).filter(
      ([name]) => name !== 'csrf_token',
    );
    const response = await browser.post(page.form.action, fields);
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
  });

  it('consent with a wrong csrf_token is 403', async () => {
    const browser = new Browser(server);
    const page = await browser.openConsent(params());
    const fields = submission(page.form, {
      values: { csrf_token: 'forged-token-value-123456' },
      button: { name: 'decision', value: 'approve' },
    });
    expect((await browser.post(page.form.action, fields)).status).toBe(403);
  });

  it('consent from a foreign Origin is 403', async () => {
    const browser = new Browser(server);
    const page = await browser.openConsent(params());
    const response = await browser.decide(page, {}, { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
  });

  it('consent posted without the session cookie does not issue a code', async () => {
    const browser = new Browser(server);
    const page = await browser.openConsent(params());
    const stranger = new Browser(server);
    const fields = submission(page.form, { button: { name: 'decision', value: 'approve' } });
    const response = await stranger.post(page.form.action, fields);
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
  });
});
