import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLAUDE_CODE_DOCUMENT,
  documentClient,
  startProfileServer,
  type ProfileServer,
} from '../helpers/client-profiles.js';
import {
  authorizeCode,
  authorizeParams,
  authorizeUrl,
  Browser,
  exchangeCode,
  registerPublicClient,
  type RegisteredClient,
} from '../helpers/oauth.js';

/** Registered without a port, as Claude Code's metadata document and VS Code list them. */
const PORTLESS = ['http://localhost/callback', 'http://127.0.0.1/', 'http://[::1]/cb'];

describe('quirk loopback-matcher-everywhere: a portless loopback redirect matches any port at /authorize, the consent POST and /token', () => {
  let server: ProfileServer;
  let client: RegisteredClient;
  let browser: Browser;

  beforeAll(async () => {
    server = await startProfileServer([CLAUDE_CODE_DOCUMENT]);
    client = await registerPublicClient(server.url, PORTLESS);
    browser = new Browser(server);
  });
  afterAll(() => server.close());

  for (const [registered, used] of [
    ['http://localhost/callback', 'http://localhost:61999/callback'],
    ['http://127.0.0.1/', 'http://127.0.0.1:33418/'],
    ['http://[::1]/cb', 'http://[::1]:50433/cb'],
  ]) {
    it(`quirk loopback-matcher-everywhere: registered ${registered}, used ${used}: consent page, 302 there, tokens`, async () => {
      // authorizeCode goes through GET /authorize and the consent POST, each checking the redirect.
      const code = await authorizeCode(browser, client, { redirectUri: used });
      expect(`${code.location.origin}${code.location.pathname}`).toBe(used);
      const tokens = await exchangeCode(server.url, client, code);
      expect(tokens.status, tokens.text).toBe(200);
    });
  }

  it('quirk loopback-matcher-everywhere: a CIMD document listing http://localhost/callback works on a random port', async () => {
    const used = 'http://localhost:52817/callback';
    const claudeCode = documentClient(CLAUDE_CODE_DOCUMENT, used);
    const code = await authorizeCode(browser, claudeCode, { redirectUri: used });
    expect(code.location.port).toBe('52817');
    expect((await exchangeCode(server.url, claudeCode, code)).status).toBe(200);
  });

  it('quirk loopback-matcher-everywhere: /token wants the exact redirect_uri used at /authorize, not the registered one', async () => {
    const code = await authorizeCode(browser, client, {
      redirectUri: 'http://localhost:61000/callback',
    });
    for (const other of ['http://localhost/callback', 'http://localhost:61001/callback']) {
      const result = await exchangeCode(server.url, client, { ...code, redirectUri: other });
      expect(result.status, other).toBe(400);
      expect(result.json.error).toBe('invalid_grant');
    }
    // The failed attempts did not burn the code of the real client.
    expect((await exchangeCode(server.url, client, code)).status).toBe(200);
  });

  it('quirk loopback-matcher-everywhere: the path still has to match (400 page, no redirect)', async () => {
    for (const redirectUri of ['http://localhost:61999/other', 'http://127.0.0.1:33418/cb']) {
      const response = await browser.get(
        authorizeUrl(server.url, authorizeParams(client.client_id, redirectUri)),
      );
      expect(response.status, redirectUri).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    }
  });
});
