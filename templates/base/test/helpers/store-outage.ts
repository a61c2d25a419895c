import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findForm, submission } from './html.js';
import { mcpCall } from './mcp.js';
import {
  Browser,
  authorizeParams,
  authorizeUrl,
  grantTokens,
  refresh,
  register,
  revoke,
  type ConsentPage,
  type RegisteredClient,
  type TokenResponse,
} from './oauth.js';
import { TEST_ACCOUNT, startTestServer, type TestServer } from './server.js';
import { TcpProxy } from './tcp-proxy.js';

/** Generous: an answer that takes this long is a hang, whatever the store's own timeouts are. */
const HANG_MS = 10_000;

/** How the test reaches the storage server of this project: the variable naming it and its URL. */
export interface StorageServerSetting {
  label: string;
  envVar: string;
  url: string;
}

function target(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol.startsWith('redis') ? 6379 : 5432;
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

/** Abandons a request that takes HANG_MS: a hang fails the test instead of stalling it. */
const signal = () => AbortSignal.timeout(HANG_MS);

/** A refresh grant with `tokens`, as the client would send it. */
function postRefresh(
  server: TestServer,
  client: RegisteredClient,
  tokens: TokenResponse,
): Promise<Response> {
  return fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: client.client_id,
    }).toString(),
    signal: signal(),
  });
}

async function expectStoreUnavailableJson(response: Response): Promise<void> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status: 503 });
  expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(response.headers.get('content-type')).toContain('application/json');
  expect(JSON.parse(text)).toMatchObject({ error: 'temporarily_unavailable' });
}

async function expectStoreUnavailablePage(response: Response): Promise<void> {
  const text = await response.text();
  expect({ status: response.status, text: text.slice(0, 300) }).toMatchObject({ status: 503 });
  expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(response.headers.get('content-type')).toContain('text/html');
  expect(response.headers.get('location')).toBeNull();
}

/**
 * rule store-outage: the server reaches its storage through a TCP proxy that the test cuts (every
 * connection reset, new ones too) and restores, without restarting the server.
 */
export function describeStoreOutage(setting: StorageServerSetting): void {
  describe(`rule store-outage: while ${setting.label} is unreachable every endpoint answers 503 with Retry-After, and the server recovers by itself`, () => {
    let proxy: TcpProxy;
    let server: TestServer;
    let client: RegisteredClient;
    let tokens: TokenResponse;
    let browser: Browser;
    /** Pages opened before the outage, posted during it. */
    let consent: ConsentPage;
    let loginForm: { action: string; fields: [string, string][]; browser: Browser };

    beforeAll(async () => {
      proxy = await TcpProxy.start(target(setting.url));
      server = await startTestServer({ [setting.envVar]: proxy.proxiedUrl(setting.url) });
      ({ client, tokens, browser } = await grantTokens(server));
      consent = await browser.openConsent(
        authorizeParams(client.client_id, client.redirect_uris[0]!),
      );
      const signedOut = new Browser(server);
      const page = await signedOut.get(
        authorizeUrl(server.url, authorizeParams(client.client_id, client.redirect_uris[0]!)),
      );
      const form = findForm(await page.text(), '/oauth/login');
      if (!form) throw new Error('no login form');
      loginForm = {
        action: form.action,
        fields: submission(form, { values: { ...TEST_ACCOUNT } }),
        browser: signedOut,
      };
      // Each refused request logs one line for the operator; keep the test output readable.
      vi.spyOn(console, 'error').mockImplementation(() => {});
      proxy.cut();
    });
    afterAll(async () => {
      vi.restoreAllMocks();
      proxy.restore();
      await server?.close();
      await proxy?.close();
    });

    it('rule store-outage: /readyz is 503 and /healthz stays 200', async () => {
      const ready = await fetch(`${server.url}/readyz`, { signal: signal() });
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ reason: 'store_unavailable' });
      expect((await fetch(`${server.url}/healthz`, { signal: signal() })).status).toBe(200);
    });

    it('rule store-outage: metadata needs no store and stays 200', async () => {
      const response = await fetch(`${server.url}/.well-known/oauth-authorization-server`, {
        signal: signal(),
      });
      expect(response.status).toBe(200);
    });

    it('rule store-outage: /register answers 503 temporarily_unavailable', async () => {
      const response = await fetch(`${server.url}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          redirect_uris: ['http://127.0.0.1/cb'],
          token_endpoint_auth_method: 'none',
        }),
        signal: signal(),
      });
      await expectStoreUnavailableJson(response);
    });

    it('rule store-outage: /token answers 503 temporarily_unavailable', async () => {
      await expectStoreUnavailableJson(await postRefresh(server, client, tokens));
    });

    it('rule store-outage: /revoke answers 503 temporarily_unavailable', async () => {
      const response = await fetch(`${server.url}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token: tokens.refresh_token,
          client_id: client.client_id,
        }).toString(),
        signal: signal(),
      });
      await expectStoreUnavailableJson(response);
    });

    it('rule store-outage: GET /authorize answers a 503 page, never a redirect', async () => {
      const response = await browser.get(
        authorizeUrl(server.url, authorizeParams(client.client_id, client.redirect_uris[0]!)),
      );
      await expectStoreUnavailablePage(response);
    });

    it('rule store-outage: the login POST answers a 503 page', async () => {
      await expectStoreUnavailablePage(
        await loginForm.browser.post(loginForm.action, loginForm.fields),
      );
    });

    it('rule store-outage: the consent POST answers a 503 page', async () => {
      await expectStoreUnavailablePage(await browser.decide(consent));
    });

    it('rule store-outage: /mcp answers 503 with Retry-After, not 401 (the client must not re-authorize)', async () => {
      const result = await mcpCall(server.url, tokens.access_token, 'tools/list');
      expect(result.status).toBe(503);
      expect(result.headers.get('retry-after')).toMatch(/^\d+$/);
    });

    it('rule store-outage: once the store is back, /readyz, /token and /mcp work again without a restart', async () => {
      proxy.restore();
      // The store reconnects by itself; readiness says when (a bounded wait, not a timing claim).
      let ready = 0;
      for (let attempt = 0; attempt < 100 && ready !== 200; attempt += 1) {
        ready = (await fetch(`${server.url}/readyz`, { signal: signal() })).status;
        if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ready).toBe(200);

      const refreshed = await refresh(server.url, client, tokens.refresh_token);
      expect(refreshed.status, refreshed.text).toBe(200);
      const access = refreshed.json.access_token;
      expect((await mcpCall(server.url, access, 'tools/list')).status).toBe(200);
      expect(
        (
          await register(server.url, {
            redirect_uris: ['http://127.0.0.1/cb'],
            token_endpoint_auth_method: 'none',
          })
        ).status,
      ).toBe(201);
      expect((await revoke(server.url, client, access)).status).toBe(200);
    });
  });

  describe(`rule store-outage: a ${setting.label} that goes silent (no reset, no answer) is an outage too, never a hang`, () => {
    let proxy: TcpProxy;
    let server: TestServer;
    let client: RegisteredClient;
    let tokens: TokenResponse;

    beforeAll(async () => {
      proxy = await TcpProxy.start(target(setting.url));
      server = await startTestServer({ [setting.envVar]: proxy.proxiedUrl(setting.url) });
      ({ client, tokens } = await grantTokens(server));
      vi.spyOn(console, 'error').mockImplementation(() => {});
      proxy.silence();
    });
    afterAll(async () => {
      vi.restoreAllMocks();
      await server?.close();
      await proxy?.close();
    });

    it(
      'rule store-outage: after a silent drop /token answers 503 temporarily_unavailable',
      async () => {
        await expectStoreUnavailableJson(await postRefresh(server, client, tokens));
      },
      HANG_MS + 5_000,
    );

    it(
      'rule store-outage: after a silent drop /mcp and /readyz answer 503',
      async () => {
        const result = await mcpCall(server.url, tokens.access_token, 'tools/list');
        expect(result.status).toBe(503);
        expect(result.headers.get('retry-after')).toMatch(/^\d+$/);
        expect((await fetch(`${server.url}/readyz`, { signal: signal() })).status).toBe(503);
      },
      2 * HANG_MS + 5_000,
    );
  });
}
