import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findForm, linkTargets } from '../helpers/html.js';
import { createAccount } from '../../src/users/accounts.js';
import {
  authorizeParams,
  authorizeUrl,
  Browser,
  exchangeCode,
  pkcePair,
  registerPublicClient,
  type ConsentPage,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

describe('quirk consent-idempotent: a double load, two tabs or a double click never end on "authorization not found"', () => {
  let server: TestServer;
  let client: RegisteredClient;
  let browser: Browser;
  /** The server's clock; tests move it forward. */
  let now = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    server = await startTestServer({}, { now: () => now });
    client = await registerPublicClient(server.url, [REDIRECT]);
    browser = new Browser(server);
  });
  afterAll(() => server.close());

  function request(challenge = pkcePair().challenge) {
    return authorizeParams(client.client_id, REDIRECT, { code_challenge: challenge });
  }

  async function approve(page: ConsentPage): Promise<Response> {
    return browser.decide(page);
  }

  function codeOf(response: Response): string {
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location')!).searchParams.get('code')!;
  }

  it('quirk consent-idempotent: loading /authorize twice gives two pending requests; the older page still approves', async () => {
    const pkce = pkcePair();
    const params = request(pkce.challenge);
    const first = await browser.openConsent(params);
    const second = await browser.openConsent(params);

    const fromFirst = codeOf(await approve(first));
    const fromSecond = codeOf(await approve(second));
    expect(fromFirst).not.toBe(fromSecond);
    for (const code of [fromFirst, fromSecond]) {
      const tokens = await exchangeCode(server.url, client, {
        code,
        verifier: pkce.verifier,
        redirectUri: REDIRECT,
      });
      expect(tokens.status, tokens.text).toBe(200);
    }
  });

  it('quirk consent-idempotent: two tabs for two requests each get their own state back', async () => {
    const tabA = await browser.openConsent(request());
    const tabB = await browser.openConsent(request());
    const answerB = new URL((await approve(tabB)).headers.get('location')!);
    const answerA = new URL((await approve(tabA)).headers.get('location')!);
    expect(answerA.searchParams.get('code')).not.toBe(answerB.searchParams.get('code'));
    expect(answerA.searchParams.get('state')).not.toBe(answerB.searchParams.get('state'));
  });

  it('quirk consent-idempotent: Approve submitted twice answers the same 302 with the same code, and one code is all there is', async () => {
    const pkce = pkcePair();
    const page = await browser.openConsent(request(pkce.challenge));
    const firstAnswer = await approve(page);
    now += 30;
    const secondAnswer = await approve(page);
    expect(firstAnswer.status).toBe(302);
    expect(secondAnswer.status).toBe(302);
    expect(secondAnswer.headers.get('location')).toBe(firstAnswer.headers.get('location'));

    const exchange = { code: codeOf(firstAnswer), verifier: pkce.verifier, redirectUri: REDIRECT };
    expect((await exchangeCode(server.url, client, exchange)).status).toBe(200);
    // The second answer minted nothing new: its code is the one just redeemed.
    const replay = await exchangeCode(server.url, client, {
      ...exchange,
      code: codeOf(secondAnswer),
    });
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
  });

  it('quirk consent-idempotent: a double click (two Approves at once) gets one code, twice', async () => {
    const page = await browser.openConsent(request());
    const answers = await Promise.all([approve(page), approve(page)]);
    expect(answers.map((answer) => answer.status)).toEqual([302, 302]);
    expect(answers[0]!.headers.get('location')).toBe(answers[1]!.headers.get('location'));
  });

  it('quirk consent-idempotent: Approve again after 60 s is a page with a way back, not a second code', async () => {
    const params = request();
    const page = await browser.openConsent(params);
    const firstCode = codeOf(await approve(page));
    now += 61;
    const late = await approve(page);
    expect(late.status).toBe(400);
    expect(late.headers.get('location')).toBeNull();
    const html = await late.text();
    expect(html).toContain('already answered');
    expect(html).not.toContain(firstCode);
    const [link] = linkTargets(html).map((href) => new URL(href));
    expect(`${link!.origin}${link!.pathname}`).toBe(REDIRECT);
    expect(link!.searchParams.get('state')).toBe(params.state);
  });

  it('quirk consent-idempotent: an expired pending request shows a page with a way back to the app', async () => {
    const params = request();
    const page = await browser.openConsent(params);
    now += 601;
    const answer = await approve(page);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('location')).toBeNull();
    const html = await answer.text();
    expect(html).toContain('This request has expired');
    expect(html).not.toMatch(/not found/i);
    expect(findForm(html, '/oauth/authorize')).toBeUndefined();
    const links = linkTargets(html).map((href) => new URL(href));
    expect(links).toHaveLength(1);
    expect(`${links[0]!.origin}${links[0]!.pathname}`).toBe(REDIRECT);
    expect(links[0]!.searchParams.get('error')).toBe('access_denied');
    expect(links[0]!.searchParams.get('state')).toBe(params.state);
  });

  it('quirk consent-idempotent: a pending request is answered only by the account it was shown to', async () => {
    const grace = { email: 'grace@example.com', password: 'another correct horse battery' };
    await createAccount(server.store, grace.email, grace.password);
    const tab = new Browser(server);
    const adasPage = await tab.openConsent(request());

    // The same browser signs out and in again as Grace, then submits the page Ada was shown.
    const session = [...tab.jar.cookies.keys()].find((name) => name.includes('session'))!;
    tab.jar.cookies.delete(session);
    const loginPage = await tab.get(authorizeUrl(server.url, request()));
    const login = await tab.submitLogin(await loginPage.text(), grace);
    expect(login.status).toBe(302);
    const answer = await tab.decide(adasPage);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('location')).toBeNull();
    expect(await answer.text()).toContain('another account');
  });
});
