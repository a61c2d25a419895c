import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exchangeCode, registerPublicClient, type RegisteredClient } from '../helpers/oauth.js';
import { launchChromium } from './helpers/chromium.js';
import { startFakeClient, type FakeClient } from './helpers/fake-client.js';
import {
  ALL_SCOPES,
  approve,
  authorizationAttempt,
  describeChain,
  openConsent,
  redirectChain,
  signIn,
  watchPage,
} from './helpers/flow.js';
import {
  startBrowserTestServer,
  type BrowserTestServer,
  type ResponseRewrite,
} from './helpers/server.js';
import { describeInChromium } from './helpers/suite.js';
import {
  noReferrerOn,
  seeOtherAfterConsent,
  selfOnlyFormActionOnConsent,
} from './helpers/unpatch.js';

/**
 * Negative proofs: the same server with one patch switched off (by rewriting its answers, see
 * helpers/unpatch.ts), driven the same way as consent-flow.test.ts. Each test pins down what
 * Chromium then does, so the patched tests are known to be able to fail.
 */

interface CspViolation {
  violatedDirective: string;
  blockedURI: string;
}

/** Collects `securitypolicyviolation` events of every document in the context. */
async function recordCspViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const violations: CspViolation[] = [];
    Object.assign(window, { cspViolations: violations });
    document.addEventListener('securitypolicyviolation', (event) => {
      violations.push({ violatedDirective: event.violatedDirective, blockedURI: event.blockedURI });
    });
  });
}

async function cspViolations(page: Page): Promise<CspViolation[]> {
  return page.evaluate(
    () => (window as unknown as { cspViolations: CspViolation[] }).cspViolations,
  );
}

describeInChromium('consent flow in Chromium with a patch switched off', () => {
  let browser: Browser;
  let fakeClient: FakeClient;
  let context: BrowserContext;
  let page: Page;
  let running: BrowserTestServer | undefined;
  let redirectUri: string;

  /** A fresh server with one patch switched off, and a client registered on it. */
  async function serverWithout(
    rewrite: ResponseRewrite,
  ): Promise<{ server: BrowserTestServer; client: RegisteredClient }> {
    running = await startBrowserTestServer({ rewrite });
    return { server: running, client: await registerPublicClient(running.url, [redirectUri]) };
  }

  beforeAll(async () => {
    browser = await launchChromium();
    fakeClient = await startFakeClient();
    redirectUri = `${fakeClient.origin('localhost')}/callback`;
  });
  afterAll(async () => {
    await browser?.close();
    await fakeClient?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    await recordCspViolations(context);
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
    await running?.close();
    running = undefined;
  });

  it('consent-302 off: Chromium follows the 303 exactly like a 302, so the browser alone cannot show the failure', async () => {
    // The failure the reference describes (claude.ai ends with 0 tools) is in claude.ai's handling of the
    // 303, not in the browser: a POST answered with 302 or 303 becomes the same GET to the callback. The
    // only browser-visible difference is the status in this chain, which is what the patched test pins to 302.
    const { server, client } = await serverWithout(seeOtherAfterConsent);
    const attempt = authorizationAttempt(server.url, client, { scope: ALL_SCOPES.join(' ') });
    const log = watchPage(page);

    await openConsent(page, attempt);
    await Promise.all([page.waitForURL(`${redirectUri}?**`), approve(page)]);

    const callbackRequest = log.requests.find((request) => request.url().startsWith(redirectUri))!;
    expect(await describeChain(redirectChain(callbackRequest))).toEqual([
      `POST ${server.url}/oauth/authorize -> 303`,
      `GET ${redirectUri} -> 200`,
    ]);
    const code = new URL(page.url()).searchParams.get('code')!;
    const tokens = await exchangeCode(server.url, client, {
      code,
      verifier: attempt.verifier,
      redirectUri,
    });
    expect(tokens.status).toBe(200);
  });

  it('consent-referrer off on the consent page: Approve carries Origin: null and the CSRF check refuses it', async () => {
    const { server, client } = await serverWithout(noReferrerOn('consent'));
    const attempt = authorizationAttempt(server.url, client, { scope: ALL_SCOPES.join(' ') });
    const log = watchPage(page);

    await openConsent(page, attempt);
    await Promise.all([page.waitForEvent('load'), approve(page)]);

    const [approvePost] = log.posts(`${server.url}/oauth/authorize`);
    expect((await approvePost!.allHeaders()).origin).toBe('null');
    expect((await approvePost!.response())?.status()).toBe(403);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'This form has expired',
    );
    const received = server.exchanges.filter(
      (exchange) => exchange.method === 'POST' && exchange.path === '/oauth/authorize',
    );
    expect(received.map(({ origin, status }) => ({ origin, status }))).toEqual([
      { origin: 'null', status: 403 },
    ]);
    expect(
      fakeClient
        .requestsFor('/callback')
        .filter((request) => request.url.searchParams.get('state') === attempt.state),
    ).toEqual([]);
  });

  it('consent-referrer off on the login page: signing in carries Origin: null and is refused', async () => {
    const { server, client } = await serverWithout(noReferrerOn('login'));
    const attempt = authorizationAttempt(server.url, client);
    const log = watchPage(page);

    await page.goto(attempt.url);
    await signIn(page);

    const [loginPost] = log.posts(`${server.url}/oauth/login`);
    expect((await loginPost!.allHeaders()).origin).toBe('null');
    expect((await loginPost!.response())?.status()).toBe(403);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'This form has expired',
    );
  });

  it('consent-form-action off: the server answers 302 but Chromium blocks the redirect and reports a CSP violation', async () => {
    const { server, client } = await serverWithout(selfOnlyFormActionOnConsent);
    const attempt = authorizationAttempt(server.url, client, { scope: ALL_SCOPES.join(' ') });
    const log = watchPage(page);

    await openConsent(page, attempt);
    const consentUrl = page.url();
    const violationReported = page.waitForEvent('console', (message) =>
      message.text().includes('Content Security Policy'),
    );
    const submissionAborted = page.waitForEvent(
      'requestfailed',
      (request) => request.method() === 'POST',
    );
    await approve(page);
    const [message, approvePost] = await Promise.all([violationReported, submissionAborted]);

    // Chromium names the form's own URL, not the redirect target, so the report does not leak the code.
    expect(message.type()).toBe('error');
    expect(message.text()).toContain(`'${server.url}/oauth/authorize'`);
    expect(message.text()).toContain(`"form-action 'self'"`);
    expect(await cspViolations(page)).toEqual([
      { violatedDirective: 'form-action', blockedURI: `${server.url}/oauth/authorize` },
    ]);
    // The server did its part: a 302 to the client with a code.
    const decision = server.exchanges.find(
      (exchange) => exchange.method === 'POST' && exchange.path === '/oauth/authorize',
    )!;
    expect(decision.status).toBe(302);
    expect(decision.responseHeaders.location).toMatch(new RegExp(`^${redirectUri}\\?code=`));
    // The browser did not follow it: the client never saw the callback and the user is still on the consent page.
    expect(approvePost.url()).toBe(`${server.url}/oauth/authorize`);
    expect(approvePost.failure()?.errorText).toBe('net::ERR_ABORTED');
    expect(page.url()).toBe(consentUrl);
    expect(log.requests.filter((request) => request.url().startsWith(redirectUri))).toEqual([]);
    expect(
      fakeClient
        .requestsFor('/callback')
        .filter((request) => request.url.searchParams.get('state') === attempt.state),
    ).toEqual([]);
  });
});
