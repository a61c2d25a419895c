import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, OFFLINE_ACCESS, SCOPES } from '../../src/oauth/scopes.js';
import { checkboxes } from '../helpers/html.js';
import {
  authorizeParams,
  exchangeCode,
  getJson,
  obtainTokens,
  pkcePair,
  randomState,
  registerPublicClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { whoami } from '../helpers/mcp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ALL_SCOPES = SCOPES.map((scope) => scope.name);
const REDIRECT = 'https://app.example.com/callback';

describe('quirk scopes-discoverable: every scope advertised, offered and checked', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, [REDIRECT]);
  });
  afterAll(() => server.close());

  function params(extra: Record<string, string> = {}) {
    return authorizeParams(client.client_id, REDIRECT, extra);
  }

  it('AS metadata scopes_supported lists every scope plus offline_access', async () => {
    const metadata = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json.scopes_supported).toEqual([...ALL_SCOPES, OFFLINE_ACCESS]);
  });

  it('PRM scopes_supported lists the baseline scope and never offline_access', async () => {
    const prm = await getJson(`${server.url}/.well-known/oauth-protected-resource`);
    const scopes = prm.json.scopes_supported as string[];
    expect(scopes).toContain(BASELINE_SCOPE);
    expect(scopes).not.toContain(OFFLINE_ACCESS);
    for (const scope of scopes) expect(ALL_SCOPES).toContain(scope);
  });

  it('the consent page offers every scope, all checked, when the client asked only for the baseline', async () => {
    const page = await sharedBrowser(server).openConsent(params({ scope: BASELINE_SCOPE }));
    expect(checkboxes(page.form, 'scope')).toEqual(
      ALL_SCOPES.map((value) => ({ value, checked: true })),
    );
  });

  it('a missing scope still gets a grant that includes the baseline', async () => {
    const page = await sharedBrowser(server).openConsent(params());
    const offered = checkboxes(page.form, 'scope').map((box) => box.value);
    expect(offered).toEqual(expect.arrayContaining(ALL_SCOPES));
    const tokens = await obtainTokens(sharedBrowser(server), client);
    expect(tokens.scope.split(' ')).toContain(BASELINE_SCOPE);
  });

  it('approving the page as shown grants every scope', async () => {
    const tokens = await obtainTokens(sharedBrowser(server), client, { scope: BASELINE_SCOPE });
    expect(tokens.scope.split(' ')).toEqual(expect.arrayContaining(ALL_SCOPES));
    const identity = await whoami(server.url, tokens.access_token);
    expect(identity.scopes).toEqual(expect.arrayContaining(ALL_SCOPES));
  });

  it('the user can untick scopes: only the ticked ones are granted', async () => {
    const tokens = await obtainTokens(sharedBrowser(server), client, {
      consent: { scopes: [BASELINE_SCOPE] },
    });
    const granted = tokens.scope.split(' ').filter((scope) => scope !== OFFLINE_ACCESS);
    expect(granted).toEqual([BASELINE_SCOPE]);
  });

  it('drops unknown scopes instead of failing (claude.ai sends made-up ones)', async () => {
    const scope = `${BASELINE_SCOPE} claudeai made:up`;
    const page = await sharedBrowser(server).openConsent(params({ scope }));
    const offered = checkboxes(page.form, 'scope').map((box) => box.value);
    expect(offered).not.toContain('claudeai');
    expect(offered).not.toContain('made:up');
    const tokens = await obtainTokens(sharedBrowser(server), client, { scope });
    expect(tokens.scope.split(' ')).not.toContain('made:up');
    expect(tokens.scope.split(' ')).toContain(BASELINE_SCOPE);
  });

  it('a request made only of unknown scopes falls back to the baseline', async () => {
    const tokens = await obtainTokens(sharedBrowser(server), client, { scope: 'admin everything' });
    expect(tokens.scope.split(' ')).toContain(BASELINE_SCOPE);
    expect(tokens.scope.split(' ')).not.toContain('admin');
  });

  it('accepts offline_access although PRM does not advertise it (Claude Code), and still issues a refresh token', async () => {
    const scope = `${BASELINE_SCOPE} ${OFFLINE_ACCESS}`;
    const page = await sharedBrowser(server).openConsent(params({ scope }));
    expect(checkboxes(page.form, 'scope').map((box) => box.value)).toEqual(
      expect.arrayContaining(ALL_SCOPES),
    );
    const tokens = await obtainTokens(sharedBrowser(server), client, { scope });
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope.split(' ')).toContain(BASELINE_SCOPE);
  });

  it('tolerates prompt=consent and prompt=login', async () => {
    for (const prompt of ['consent', 'login']) {
      const tokens = await obtainTokens(sharedBrowser(server), client, { extra: { prompt } });
      expect(tokens.access_token).toBeTruthy();
    }
  });

  it('the token response scope matches what /mcp sees', async () => {
    const browser = sharedBrowser(server);
    const pkce = pkcePair();
    const state = randomState();
    const { location } = await browser.authorize({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      state,
      scope: ALL_SCOPES.join(' '),
    });
    const result = await exchangeCode(server.url, client, {
      code: location.searchParams.get('code')!,
      verifier: pkce.verifier,
      redirectUri: REDIRECT,
    });
    const identity = await whoami(server.url, result.json.access_token);
    expect([...identity.scopes].sort()).toEqual(result.json.scope.split(' ').sort());
  });
});
