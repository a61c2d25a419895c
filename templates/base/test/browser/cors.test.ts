import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listHeader, parseChallenge } from '../helpers/headers.js';
import { MCP_PROTOCOL_VERSION, mcpPost } from '../helpers/mcp.js';
import type { RegisteredClient } from '../helpers/oauth.js';
import { launchChromium } from './helpers/chromium.js';
import { startFakeClient, type FakeClient } from './helpers/fake-client.js';
import { ALL_SCOPES, approve, authorizationAttempt, openConsent } from './helpers/flow.js';
import { startBrowserTestServer, type BrowserTestServer, type Exchange } from './helpers/server.js';
import { describeInChromium } from './helpers/suite.js';

/**
 * A browser-based MCP client (claude.ai, chatgpt.com) calls the server with fetch() from its own origin.
 * The page's script does every call here, so Chromium's CORS checks decide what the script may send
 * and read (quirks cors-preflight and origin-check).
 */

/** What a page script saw of one fetch: the status and the headers CORS let it read, or the error. */
interface PageFetchResult {
  /** False when fetch() rejected: the browser withheld the response from the script. */
  readable: boolean;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  error?: string;
}

interface PageFetchInit {
  method: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Runs fetch() in the page, as the page's own script would. */
async function pageFetch(page: Page, url: string, init: PageFetchInit): Promise<PageFetchResult> {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, init);
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          headers[name] = value;
        });
        return { readable: true, status: response.status, headers, body: await response.text() };
      } catch (error) {
        return { readable: false, error: `${(error as Error).name}: ${(error as Error).message}` };
      }
    },
    { url, init },
  );
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: MCP_PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: 'browser-client', version: '1.0.0' },
  },
};

const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

function exchangesFor(
  server: BrowserTestServer,
  kind: Exchange['kind'],
  path: string,
  origin: string,
): Exchange[] {
  return server.exchanges.filter(
    (exchange) => exchange.kind === kind && exchange.path === path && exchange.origin === origin,
  );
}

describeInChromium('cross-origin fetch from a browser-based client', () => {
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

  describe('from an allowed origin', () => {
    let server: BrowserTestServer;
    beforeAll(async () => {
      server = await startBrowserTestServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    it('registers, exchanges a code, reads the 401 challenge and initializes MCP, all with fetch()', async () => {
      const clientOrigin = fakeClient.origin('localhost');
      const redirectUri = `${clientOrigin}/callback`;
      await page.goto(`${clientOrigin}/app`);

      // DCR: a JSON POST, so Chromium sends a preflight first.
      const registration = await pageFetch(page, `${server.url}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'Browser client',
          redirect_uris: [redirectUri],
          token_endpoint_auth_method: 'none',
        }),
      });
      expect(registration).toMatchObject({ readable: true, status: 201 });
      const client = JSON.parse(registration.body!) as RegisteredClient;
      const [registerPreflight] = exchangesFor(
        server,
        'preflight',
        '/oauth/register',
        clientOrigin,
      );
      expect(registerPreflight).toMatchObject({ method: 'OPTIONS', status: 204 });
      expect(registerPreflight!.requestHeaders['access-control-request-method']).toBe('POST');

      // The user approves in the same tab; the callback page then exchanges the code itself.
      const attempt = authorizationAttempt(server.url, client, { scope: ALL_SCOPES.join(' ') });
      await openConsent(page, attempt);
      await Promise.all([page.waitForURL(`${redirectUri}?**`), approve(page)]);
      const code = new URL(page.url()).searchParams.get('code')!;
      const token = await pageFetch(page, `${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: client.client_id,
          code,
          code_verifier: attempt.verifier,
          redirect_uri: redirectUri,
        }).toString(),
      });
      expect(token).toMatchObject({ readable: true, status: 200 });
      const tokens = JSON.parse(token.body!) as {
        access_token: string;
        token_type: string;
        scope: string;
      };
      expect(tokens).toMatchObject({ token_type: 'bearer', scope: ALL_SCOPES.join(' ') });

      // Without a token: the script can read WWW-Authenticate only because it is exposed.
      const unauthorized = await pageFetch(page, `${server.url}/mcp`, {
        method: 'POST',
        headers: MCP_HEADERS,
        body: JSON.stringify(INITIALIZE),
      });
      expect(unauthorized).toMatchObject({ readable: true, status: 401 });
      const challenge = parseChallenge(unauthorized.headers!['www-authenticate'] ?? null);
      expect(challenge.scheme.toLowerCase()).toBe('bearer');
      expect(challenge.params.resource_metadata).toBe(
        `${server.issuer}/.well-known/oauth-protected-resource/mcp`,
      );

      // With the token: preflight (Authorization is not a simple header), then initialize.
      const initialized = await pageFetch(page, `${server.url}/mcp`, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${tokens.access_token}` },
        body: JSON.stringify(INITIALIZE),
      });
      expect(initialized).toMatchObject({ readable: true, status: 200 });
      expect(initialized.body).toContain('"serverInfo"');
      // One preflight served both /mcp calls: it allowed Authorization up front and Max-Age let Chromium reuse it.
      const mcpPreflights = exchangesFor(server, 'preflight', '/mcp', clientOrigin);
      expect(mcpPreflights).toHaveLength(1);
      expect(mcpPreflights[0]!.status).toBe(204);
      const allowed = listHeader(
        mcpPreflights[0]!.responseHeaders['access-control-allow-headers'] ?? null,
      );
      expect(allowed).toEqual(
        expect.arrayContaining(['authorization', 'mcp-session-id', 'mcp-protocol-version']),
      );
      expect(
        exchangesFor(server, 'mcp', '/mcp', clientOrigin).map(
          (exchange) => exchange.requestHeaders.authorization,
        ),
      ).toEqual([undefined, `Bearer ${tokens.access_token}`]);

      // Whatever session header the transport sends, the page reads the same as a non-browser client.
      const direct = await mcpPost(server.url, INITIALIZE, {
        authorization: `Bearer ${tokens.access_token}`,
      });
      expect(direct.status).toBe(200);
      expect(initialized.headers!['mcp-session-id'] ?? null).toBe(
        direct.headers.get('mcp-session-id'),
      );
      await direct.body?.cancel();
    });
  });

  describe('with ALLOWED_ORIGINS set to one non-loopback origin', () => {
    // allowed.test and evil.test resolve to 127.0.0.1 inside Chromium only (helpers/chromium.ts), so both are
    // real non-loopback origins for CORS while the fake client still listens on 127.0.0.1.
    let server: BrowserTestServer;
    let allowedOrigin: string;
    let evilOrigin: string;
    beforeAll(async () => {
      allowedOrigin = fakeClient.origin('allowed.test');
      evilOrigin = fakeClient.origin('evil.test');
      server = await startBrowserTestServer({ env: { ALLOWED_ORIGINS: allowedOrigin } });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('lets the configured origin read the 401 challenge', async () => {
      await page.goto(`${allowedOrigin}/app`);
      const result = await pageFetch(page, `${server.url}/mcp`, {
        method: 'POST',
        headers: MCP_HEADERS,
        body: JSON.stringify(INITIALIZE),
      });
      expect(result).toMatchObject({ readable: true, status: 401 });
      expect(result.headers!['www-authenticate']).toMatch(/^Bearer /);
    });

    it('lets the page send per-tool Mcp-Param-* headers and DPoP: the preflight allows what it asks for (quirk cors-reflect-headers)', async () => {
      await page.goto(`${allowedOrigin}/app`);
      const result = await pageFetch(page, `${server.url}/mcp`, {
        method: 'POST',
        headers: { ...MCP_HEADERS, 'mcp-param-region': 'eu', dpop: 'proof' },
        body: JSON.stringify(INITIALIZE),
      });
      expect(result).toMatchObject({ readable: true, status: 401 });
      const preflight = exchangesFor(server, 'preflight', '/mcp', allowedOrigin).find((exchange) =>
        exchange.requestHeaders['access-control-request-headers']?.includes('mcp-param-region'),
      );
      expect(
        listHeader(preflight!.responseHeaders['access-control-allow-headers'] ?? null),
      ).toEqual(expect.arrayContaining(['mcp-param-region', 'dpop']));
    });

    it('lets any other origin read the metadata and register, though not reach /mcp (quirk cors-open-oauth)', async () => {
      await page.goto(`${evilOrigin}/app`);
      const metadata = await pageFetch(
        page,
        `${server.url}/.well-known/oauth-protected-resource/mcp`,
        { method: 'GET', headers: { 'mcp-protocol-version': MCP_PROTOCOL_VERSION } },
      );
      expect(metadata).toMatchObject({ readable: true, status: 200 });
      const registration = await pageFetch(page, `${server.url}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'Portal',
          redirect_uris: ['https://portal.example/callback'],
          token_endpoint_auth_method: 'none',
        }),
      });
      expect(registration).toMatchObject({ readable: true, status: 201 });
      expect(registration.headers!['access-control-allow-credentials']).toBeUndefined();
    });

    it('refuses a preflighted call from any other origin: the preflight grants nothing and the POST is never sent', async () => {
      await page.goto(`${evilOrigin}/app`);
      const result = await pageFetch(page, `${server.url}/mcp`, {
        method: 'POST',
        headers: MCP_HEADERS,
        body: JSON.stringify(INITIALIZE),
      });
      expect(result).toEqual({ readable: false, error: 'TypeError: Failed to fetch' });
      const [preflight] = exchangesFor(server, 'preflight', '/mcp', evilOrigin);
      expect(preflight!.status).toBe(204);
      expect(preflight!.responseHeaders['access-control-allow-origin']).toBeUndefined();
      expect(exchangesFor(server, 'mcp', '/mcp', evilOrigin)).toEqual([]);
    });

    it('answers 403 to a simple (unpreflighted) call from any other origin, and the page cannot read it (quirk origin-check)', async () => {
      await page.goto(`${evilOrigin}/app`);
      // text/plain and no custom headers: a "simple" request, which Chromium sends without asking first.
      const result = await pageFetch(page, `${server.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(INITIALIZE),
      });
      expect(result).toEqual({ readable: false, error: 'TypeError: Failed to fetch' });
      const [answer] = exchangesFor(server, 'mcp', '/mcp', evilOrigin);
      expect(answer!.status).toBe(403);
    });
  });
});
