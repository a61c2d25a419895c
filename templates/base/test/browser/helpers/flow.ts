import type { ConsoleMessage, Locator, Page, Request } from 'playwright-core';
import { SCOPES } from '../../../src/oauth/scopes.js';
import { authorizeUrl, pkcePair, randomState, type RegisteredClient } from '../../helpers/oauth.js';
import { TEST_ACCOUNT } from '../../helpers/server.js';

/** The user's side of /oauth/authorize, done with real clicks in a real page. */

export interface AuthorizationAttempt {
  url: string;
  redirectUri: string;
  state: string;
  verifier: string;
}

export function authorizationAttempt(
  serverUrl: string,
  client: RegisteredClient,
  options: { redirectUri?: string; scope?: string } = {},
): AuthorizationAttempt {
  const pkce = pkcePair();
  const state = randomState();
  const redirectUri = options.redirectUri ?? client.redirect_uris[0]!;
  const url = authorizeUrl(serverUrl, {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    state,
    scope: options.scope,
  });
  return { url, redirectUri, state, verifier: pkce.verifier };
}

/** Fills the login form by its labels and submits it; resolves when the next page has loaded. */
export async function signIn(
  page: Page,
  account: { email: string; password: string } = TEST_ACCOUNT,
): Promise<void> {
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await Promise.all([
    page.waitForEvent('load'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}

/** Every scope this server grants, baseline first (the project's own list, whatever --scopes chose). */
export const ALL_SCOPES = SCOPES.map((scope) => scope.name);

/** The consent page's checkbox for one scope. */
export function scopeCheckbox(page: Page, scope: string): Locator {
  return page.locator(`input[type="checkbox"][name="scope"][value="${scope}"]`);
}

/** Unchecks the given scopes and presses Allow. Does not wait: what happens next is what tests look at. */
export async function approve(
  page: Page,
  options: { uncheck?: readonly string[] } = {},
): Promise<void> {
  for (const scope of options.uncheck ?? []) await scopeCheckbox(page, scope).uncheck();
  await page.getByRole('button', { name: 'Allow' }).click();
}

/** Opens /authorize, signs in, and leaves the page on the consent screen. */
export async function openConsent(page: Page, attempt: AuthorizationAttempt): Promise<void> {
  await page.goto(attempt.url);
  await signIn(page);
  await page.getByRole('button', { name: 'Allow' }).waitFor();
}

/** Every request and console message of a page, kept for assertions after the fact. */
export interface PageLog {
  requests: Request[];
  console: ConsoleMessage[];
  /** The form POSTs the page sent to `url` (path or absolute URL prefix). */
  posts(urlPrefix: string): Request[];
  consoleErrors(): string[];
}

export function watchPage(page: Page): PageLog {
  const log: PageLog = {
    requests: [],
    console: [],
    posts: (urlPrefix) =>
      log.requests.filter(
        (request) => request.method() === 'POST' && request.url().startsWith(urlPrefix),
      ),
    consoleErrors: () =>
      log.console.filter((message) => message.type() === 'error').map((message) => message.text()),
  };
  page.on('request', (request) => log.requests.push(request));
  page.on('console', (message) => log.console.push(message));
  return log;
}

/** The chain of requests that ended in `request`: the first one is what the user's click sent. */
export function redirectChain(request: Request): Request[] {
  const chain: Request[] = [request];
  for (let previous = request.redirectedFrom(); previous; previous = previous.redirectedFrom())
    chain.unshift(previous);
  return chain;
}

/** What each hop of a chain looked like on the wire: `POST /oauth/authorize -> 302`, `GET /callback -> 200`. */
export async function describeChain(chain: readonly Request[]): Promise<string[]> {
  return Promise.all(
    chain.map(async (request) => {
      const response = await request.response();
      const withoutQuery = request.url().split('?')[0];
      return `${request.method()} ${withoutQuery} -> ${response ? response.status() : request.failure()?.errorText}`;
    }),
  );
}
