import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/oauth/scopes.js';
import { registerPublicClient, type RegisteredClient } from '../helpers/oauth.js';
import { launchChromium } from './helpers/chromium.js';
import { authorizationAttempt, signIn } from './helpers/flow.js';
import { startBrowserTestServer, type BrowserTestServer } from './helpers/server.js';
import { describeInChromium } from './helpers/suite.js';

/**
 * The login and consent pages as a user sees them, on a desktop and on a phone-sized screen.
 * Screenshots are written to test-results/browser/ for a person to look at; the assertions check what
 * can be checked mechanically: labels, names, the redirect host, and that nothing overflows sideways.
 */

const SCREENSHOT_DIR = path.resolve('test-results/browser');
const CLIENT_NAME = 'Team Notes for MCP';
/** A redirect host a user should be able to read before approving. */
const REDIRECT_URI = 'https://notes-client.example.com/oauth/callback';

const VIEWPORTS = [
  { name: 'desktop', width: 1200, height: 800 },
  { name: 'narrow', width: 375, height: 740 },
] as const;

/** True when some element sticks out of the viewport horizontally (the page would scroll sideways). */
async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

async function fitsInViewportWidth(page: Page, name: string): Promise<boolean> {
  const box = await page.getByRole('button', { name }).boundingBox();
  const width = page.viewportSize()!.width;
  return box !== null && box.x >= 0 && box.x + box.width <= width;
}

describeInChromium('login and consent pages in Chromium', () => {
  let browser: Browser;
  let server: BrowserTestServer;
  let client: RegisteredClient;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startBrowserTestServer();
    client = await registerPublicClient(server.url, [REDIRECT_URI], { client_name: CLIENT_NAME });
    await mkdir(SCREENSHOT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    await context?.close();
  });

  describe.each(VIEWPORTS)('$name ($width px)', (viewport) => {
    it('login page: labelled fields, the client and where the user will be sent', async () => {
      context = await browser.newContext({
        viewport: { width: viewport.width, height: viewport.height },
      });
      const page = await context.newPage();
      await page.goto(authorizationAttempt(server.url, client).url);

      expect(await page.title()).toBe(`Sign in to continue to ${CLIENT_NAME}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
      expect(await page.getByText(CLIENT_NAME).isVisible()).toBe(true);
      expect(await page.getByText('notes-client.example.com').isVisible()).toBe(true);
      expect(await page.getByLabel('Email').getAttribute('autocomplete')).toBe('username');
      expect(await page.getByLabel('Password').getAttribute('type')).toBe('password');
      expect(await overflowsHorizontally(page)).toBe(false);
      expect(await fitsInViewportWidth(page, 'Sign in')).toBe(true);

      await page.screenshot({
        path: path.join(SCREENSHOT_DIR, `login-${viewport.name}.png`),
        fullPage: true,
      });
    });

    it('consent page: the client, the account, every scope with its description, the redirect host', async () => {
      context = await browser.newContext({
        viewport: { width: viewport.width, height: viewport.height },
      });
      const page = await context.newPage();
      await page.goto(
        authorizationAttempt(server.url, client, {
          scope: SCOPES.map((scope) => scope.name).join(' '),
        }).url,
      );
      await signIn(page);

      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        `${CLIENT_NAME} wants to access your account`,
      );
      expect(await page.getByText('ada@example.com').isVisible()).toBe(true);
      expect(await page.getByText('notes-client.example.com').isVisible()).toBe(true);
      expect(await page.getByRole('group', { name: 'It will be able to:' }).isVisible()).toBe(true);
      for (const { name, description } of SCOPES) {
        // The label names the checkbox: the scope and what it allows, in words.
        const checkbox = page.getByRole('checkbox', {
          name: `${name} ${description}`,
          exact: true,
        });
        expect(await checkbox.isChecked()).toBe(true);
        expect(await checkbox.getAttribute('value')).toBe(name);
      }
      expect(await overflowsHorizontally(page)).toBe(false);
      expect(await fitsInViewportWidth(page, 'Allow')).toBe(true);
      expect(await fitsInViewportWidth(page, 'Deny')).toBe(true);

      await page.screenshot({
        path: path.join(SCREENSHOT_DIR, `consent-${viewport.name}.png`),
        fullPage: true,
      });
    });
  });
});
