import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, OFFLINE_ACCESS } from '../../src/oauth/scopes.js';
import { exchangeCode, registerPublicClient } from '../helpers/oauth.js';
import { launchChromium } from './helpers/chromium.js';
import { startFakeClient, type FakeClient } from './helpers/fake-client.js';
import {
  ALL_SCOPES,
  approve,
  authorizationAttempt,
  describeChain,
  openConsent,
  redirectChain,
  watchPage,
} from './helpers/flow.js';
import { startBrowserTestServer, type BrowserTestServer } from './helpers/server.js';
import { describeInChromium } from './helpers/suite.js';

/**
 * Authorization in Chromium: a browser-based client on another origin (http://localhost:<port>, a
 * different site from the server's http://127.0.0.1:<port>) sends the user to /oauth/authorize; the
 * user signs in, unchecks a scope and presses Allow; the browser must land on the client's callback.
 */

describeInChromium('consent flow in Chromium', () => {
  let browser: Browser;
  let fakeClient: FakeClient;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    fakeClient = await startFakeClient();
  });
  afterAll(async () => {
    await browser?.close();
    await fakeClient?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
  });

  const issModes: { issParameter: 'omit' | 'emit'; env: Record<string, string> }[] = [
    { issParameter: 'omit', env: {} },
    { issParameter: 'emit', env: { ISS_PARAMETER: 'emit' } },
  ];
  describe.each(issModes)('ISS_PARAMETER=$issParameter', ({ issParameter, env }) => {
    let server: BrowserTestServer;
    beforeAll(async () => {
      server = await startBrowserTestServer({ env });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('lands on the client callback with code and state, and the code carries exactly the approved scopes', async () => {
      const redirectUri = `${fakeClient.origin('localhost')}/callback`;
      const client = await registerPublicClient(server.url, [redirectUri]);
      // offline_access is asked for too, so there is always a box besides the baseline to uncheck.
      const requested = [...ALL_SCOPES, OFFLINE_ACCESS];
      const attempt = authorizationAttempt(server.url, client, { scope: requested.join(' ') });
      const log = watchPage(page);

      await openConsent(page, attempt);
      const unchecked = requested.filter((scope) => scope !== BASELINE_SCOPE);
      await Promise.all([
        page.waitForURL(`${redirectUri}?**`),
        approve(page, { uncheck: unchecked }),
      ]);

      const landed = new URL(page.url());
      expect(`${landed.origin}${landed.pathname}`).toBe(redirectUri);
      expect(landed.searchParams.get('state')).toBe(attempt.state);
      const code = landed.searchParams.get('code');
      expect(code).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      if (issParameter === 'emit') expect(landed.searchParams.get('iss')).toBe(server.issuer);
      else expect(landed.searchParams.has('iss')).toBe(false);
      expect(await page.locator('#callback').textContent()).toBe('Callback received');
      const callbacks = fakeClient
        .requestsFor('/callback')
        .filter((request) => request.url.searchParams.get('code') === code);
      expect(callbacks).toHaveLength(1);
      // Referrer-Policy same-origin: the consent URL (client_id, state, PKCE challenge) does not leak to the client.
      expect(callbacks[0]!.headers.referer).toBeUndefined();

      // Sign-in and Approve are same-origin form submissions: Chromium sends the server's own origin,
      // which the CSRF check accepts (quirk consent-referrer).
      const [loginPost] = log.posts(`${server.url}/oauth/login`);
      const [approvePost] = log.posts(`${server.url}/oauth/authorize`);
      expect((await loginPost!.allHeaders()).origin).toBe(server.origin);
      expect((await approvePost!.allHeaders()).origin).toBe(server.origin);
      const callbackRequest = log.requests.find((request) =>
        request.url().startsWith(redirectUri),
      )!;
      expect(await describeChain(redirectChain(callbackRequest))).toEqual([
        `POST ${server.url}/oauth/authorize -> 302`,
        `GET ${redirectUri} -> 200`,
      ]);

      const tokens = await exchangeCode(server.url, client, {
        code: code!,
        verifier: attempt.verifier,
        redirectUri,
      });
      expect(tokens.status).toBe(200);
      expect(tokens.json.scope).toBe(BASELINE_SCOPE);
    });
  });

  describe('other redirect kinds', () => {
    let server: BrowserTestServer;
    beforeAll(async () => {
      server = await startBrowserTestServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    it('follows an http loopback redirect on a port other than the registered one (quirk loopback-any-port)', async () => {
      // Registered like VS Code's fixed port; the "native app" actually listens on the fake client's port.
      const registered = 'http://127.0.0.1:33418/callback';
      const redirectUri = `${fakeClient.origin('127.0.0.1')}/callback`;
      expect(redirectUri).not.toBe(registered);
      const client = await registerPublicClient(server.url, [registered]);
      const attempt = authorizationAttempt(server.url, client, {
        redirectUri,
        scope: ALL_SCOPES.join(' '),
      });

      const log = watchPage(page);

      await openConsent(page, attempt);
      await Promise.all([page.waitForURL(`${redirectUri}?**`), approve(page)]);

      const landed = new URL(page.url());
      expect(landed.searchParams.get('state')).toBe(attempt.state);
      const callbackRequest = log.requests.find((request) =>
        request.url().startsWith(redirectUri),
      )!;
      expect(await describeChain(redirectChain(callbackRequest))).toEqual([
        `POST ${server.url}/oauth/authorize -> 302`,
        `GET ${redirectUri} -> 200`,
      ]);
      const tokens = await exchangeCode(server.url, client, {
        code: landed.searchParams.get('code')!,
        verifier: attempt.verifier,
        redirectUri,
      });
      expect(tokens.status).toBe(200);
      expect(tokens.json.scope).toBe(ALL_SCOPES.join(' '));
    });

    it('hands a private-use scheme redirect to the operating system (quirk private-use-schemes)', async () => {
      const redirectUri = 'cursor://anysphere.cursor-mcp/oauth/callback';
      const client = await registerPublicClient(server.url, [redirectUri]);
      const attempt = authorizationAttempt(server.url, client, { scope: ALL_SCOPES.join(' ') });
      const log = watchPage(page);

      await openConsent(page, attempt);
      // Headless Chromium has no handler for cursor:, so it aborts the navigation after attempting it.
      const schemeRequest = page.waitForEvent('requestfailed', (request) =>
        request.url().startsWith(`${redirectUri}?`),
      );
      await approve(page);
      const request = await schemeRequest;

      const [decision, handOff, ...more] = await describeChain(redirectChain(request));
      expect(decision).toBe(`POST ${server.url}/oauth/authorize -> 302`);
      expect(handOff).toMatch(
        /^GET cursor:\/\/anysphere\.cursor-mcp\/oauth\/callback -> net::ERR_/,
      );
      expect(more).toEqual([]);
      expect(
        log.consoleErrors().filter((text) => text.includes('Content Security Policy')),
      ).toEqual([]);
      const url = new URL(request.url());
      expect(url.searchParams.get('state')).toBe(attempt.state);
      const tokens = await exchangeCode(server.url, client, {
        code: url.searchParams.get('code')!,
        verifier: attempt.verifier,
        redirectUri,
      });
      expect(tokens.status).toBe(200);
      expect(tokens.json.scope).toBe(ALL_SCOPES.join(' '));
    });
  });
});
