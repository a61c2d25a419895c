import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerPublicClient, type RegisteredClient } from '../helpers/oauth.js';
import { launchChromium } from './helpers/chromium.js';
import { startFakeClient, type FakeClient } from './helpers/fake-client.js';
import { authorizationAttempt, openConsent } from './helpers/flow.js';
import { startBrowserTestServer, type BrowserTestServer } from './helpers/server.js';
import { describeInChromium } from './helpers/suite.js';
import { framingAllowed } from './helpers/unpatch.js';

/**
 * Clickjacking: a page on another origin puts the login or consent page in an iframe and lures the user
 * into clicking Allow. X-Frame-Options: DENY and frame-ancestors 'none' make Chromium refuse to render it.
 */

/** Opens the fake client's framing page around `src` and returns the iframe once everything has loaded. */
async function frameOn(page: Page, framingOrigin: string, src: string): Promise<Frame> {
  await page.goto(`${framingOrigin}/frame?src=${encodeURIComponent(src)}`, { waitUntil: 'load' });
  const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
  if (!frame) throw new Error('the framing page has no iframe');
  return frame;
}

/** How many of the server's own forms the frame shows (login or consent). */
async function serverFormsIn(frame: Frame): Promise<number> {
  return frame.locator('form[action="/oauth/login"], form[action="/oauth/authorize"]').count();
}

describeInChromium('clickjacking in Chromium', () => {
  let browser: Browser;
  let fakeClient: FakeClient;
  let context: BrowserContext;
  let page: Page;
  let server: BrowserTestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    browser = await launchChromium();
    fakeClient = await startFakeClient();
    server = await startBrowserTestServer();
    client = await registerPublicClient(server.url, [`${fakeClient.origin('localhost')}/callback`]);
  });
  afterAll(async () => {
    await browser?.close();
    await fakeClient?.close();
    await server?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
  });

  it('refuses to render the login page in a cross-origin frame', async () => {
    const attempt = authorizationAttempt(server.url, client);
    const refusal = page.waitForEvent('console', (message) =>
      message.text().includes('frame-ancestors'),
    );

    const before = server.exchanges.length;

    const frame = await frameOn(page, fakeClient.origin('localhost'), attempt.url);

    // The server answered with the page; Chromium would not show it.
    const [served] = server.exchanges.slice(before);
    expect(served).toMatchObject({ method: 'GET', path: '/oauth/authorize', status: 200 });
    expect(served!.responseHeaders['x-frame-options']).toBe('DENY');
    expect(frame.url()).not.toBe(attempt.url);
    expect(await serverFormsIn(frame)).toBe(0);
    const message = await refusal;
    expect(message.type()).toBe('error');
    expect(message.text()).toContain(`"frame-ancestors 'none'"`);
  });

  it('refuses to render the consent page of a signed-in user in a cross-origin frame', async () => {
    const attempt = authorizationAttempt(server.url, client);
    await openConsent(page, attempt);
    const before = server.exchanges.length;
    const refusal = page.waitForEvent('console', (message) =>
      message.text().includes('frame-ancestors'),
    );

    // 127.0.0.1 on another port is the same site, so the SameSite=Lax session cookie reaches the framed
    // request and the server answers with the consent page itself, not the login page.
    const frame = await frameOn(page, fakeClient.origin('127.0.0.1'), attempt.url);

    const [served] = server.exchanges.slice(before);
    expect(served).toMatchObject({ method: 'GET', path: '/oauth/authorize', status: 200 });
    expect(served!.responseHeaders['content-security-policy']).toContain(
      `form-action 'self' ${fakeClient.origin('localhost')}`,
    );
    expect(await serverFormsIn(frame)).toBe(0);
    expect(await frame.getByRole('button', { name: 'Allow' }).count()).toBe(0);
    expect((await refusal).text()).toContain(`"frame-ancestors 'none'"`);
  });

  it('control: with X-Frame-Options and frame-ancestors removed, the same frame shows the login form', async () => {
    const unprotected = await startBrowserTestServer({ rewrite: framingAllowed });
    try {
      const unprotectedClient = await registerPublicClient(unprotected.url, [
        `${fakeClient.origin('localhost')}/callback`,
      ]);
      const attempt = authorizationAttempt(unprotected.url, unprotectedClient);

      const frame = await frameOn(page, fakeClient.origin('localhost'), attempt.url);

      expect(frame.url()).toBe(attempt.url);
      expect(await serverFormsIn(frame)).toBe(1);
      expect(await frame.getByLabel('Email').count()).toBe(1);
    } finally {
      await unprotected.close();
    }
  });
});
