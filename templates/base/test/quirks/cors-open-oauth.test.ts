import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listHeader } from '../helpers/headers.js';
import { callTool, mcpPost } from '../helpers/mcp.js';
import {
  authorizeCode,
  authorizeUrl,
  authorizeParams,
  clientAuthentication,
  grantTokens,
  postForm,
  postJson,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Browser-based clients outside any allowlist: the Cloudflare MCP portal and the MCP Inspector. */
const CLOUDFLARE = 'https://dash.cloudflare.com';
const INSPECTOR = 'http://127.0.0.1:6274';
const HOSTILE = 'https://evil.example';

/** Every path of a cookie-free OAuth endpoint, with the method a browser would preflight for. */
const OPEN_ENDPOINTS: [string, string][] = [
  ['/.well-known/oauth-protected-resource', 'GET'],
  ['/.well-known/oauth-protected-resource/mcp', 'GET'],
  ['/.well-known/oauth-protected-resource/mcp/', 'GET'],
  ['/.well-known/oauth-authorization-server', 'GET'],
  ['/.well-known/oauth-authorization-server/', 'GET'],
  ['/.well-known/oauth-authorization-server/mcp', 'GET'],
  ['/oauth/register', 'POST'],
  ['/register', 'POST'],
  ['/register/', 'POST'],
  ['/oauth/token', 'POST'],
  ['/token', 'POST'],
  ['/oauth/token/', 'POST'],
  ['/oauth/revoke', 'POST'],
  ['/revoke', 'POST'],
  ['/revoke/', 'POST'],
];

async function preflight(url: string, origin: string, method: string): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'content-type',
    },
  });
}

/** The answer lets `origin` read it, and grants nothing beyond that: no credentials, never `*`. */
function expectReadableBy(headers: Headers, origin: string): void {
  expect(headers.get('access-control-allow-origin')).toBe(origin);
  expect(headers.get('access-control-allow-credentials')).toBeNull();
  expect(listHeader(headers.get('vary'))).toContain('origin');
}

describe('quirk cors-open-oauth: the cookie-free OAuth endpoints answer CORS for any origin', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  for (const [path, method] of OPEN_ENDPOINTS) {
    it(`OPTIONS ${path} echoes ${CLOUDFLARE} and ${INSPECTOR}, without credentials`, async () => {
      for (const origin of [CLOUDFLARE, INSPECTOR]) {
        const response = await preflight(`${server.url}${path}`, origin, method);
        expect(response.status).toBe(204);
        expectReadableBy(response.headers, origin);
        expect(listHeader(response.headers.get('access-control-allow-methods'))).toContain(
          method.toLowerCase(),
        );
        expect(listHeader(response.headers.get('access-control-allow-headers'))).toContain(
          'content-type',
        );
      }
    });
  }

  it('both metadata documents are readable from any origin at every path', async () => {
    for (const path of OPEN_ENDPOINTS.filter(([, method]) => method === 'GET').map(([p]) => p)) {
      const response = await fetch(`${server.url}${path}`, { headers: { origin: CLOUDFLARE } });
      expect(response.status, path).toBe(200);
      expectReadableBy(response.headers, CLOUDFLARE);
      await response.body?.cancel();
    }
  });

  it('a page on dash.cloudflare.com registers, exchanges the code, refreshes and revokes', async () => {
    const origin = { origin: CLOUDFLARE };
    const registration = await postJson(
      `${server.url}/oauth/register`,
      {
        client_name: 'Cloudflare MCP portal',
        redirect_uris: ['https://dash.cloudflare.com/mcp/callback'],
        token_endpoint_auth_method: 'none',
      },
      origin,
    );
    expect(registration.status).toBe(201);
    expectReadableBy(registration.headers, CLOUDFLARE);
    const client = registration.json as unknown as RegisteredClient;

    const authorized = await authorizeCode(sharedBrowser(server), client);
    const auth = clientAuthentication(client);
    const exchange = await postForm(
      `${server.url}/oauth/token`,
      {
        ...auth.fields,
        grant_type: 'authorization_code',
        code: authorized.code,
        code_verifier: authorized.verifier,
        redirect_uri: authorized.redirectUri,
      },
      origin,
    );
    expect(exchange.status).toBe(200);
    expectReadableBy(exchange.headers, CLOUDFLARE);

    const refreshed = await postForm(
      `${server.url}/token`,
      {
        ...auth.fields,
        grant_type: 'refresh_token',
        refresh_token: exchange.json.refresh_token as string,
      },
      origin,
    );
    expect(refreshed.status).toBe(200);
    expectReadableBy(refreshed.headers, CLOUDFLARE);

    const revoked = await postForm(
      `${server.url}/oauth/revoke`,
      { ...auth.fields, token: refreshed.json.refresh_token as string },
      origin,
    );
    expect(revoked.status).toBe(200);
    expectReadableBy(revoked.headers, CLOUDFLARE);
  });

  it('JSON errors are readable from any origin too', async () => {
    const result = await postForm(
      `${server.url}/oauth/token`,
      { grant_type: 'authorization_code' },
      { origin: INSPECTOR },
    );
    expect(result.status).toBe(401);
    expect(result.json.error).toBe('invalid_client');
    expectReadableBy(result.headers, INSPECTOR);
  });

  it('/mcp keeps the allowlist: the preflight grants nothing to an unlisted origin', async () => {
    for (const origin of [CLOUDFLARE, HOSTILE]) {
      const response = await preflight(`${server.url}/mcp`, origin, 'POST');
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('/mcp still refuses an unlisted origin with a valid token (quirk origin-check)', async () => {
    const { tokens } = await grantTokens(server);
    const result = await callTool(
      server.url,
      tokens.access_token,
      'whoami',
      {},
      { origin: HOSTILE },
    );
    expect(result.status).toBe(403);
    expect(result.headers.get('access-control-allow-origin')).toBeNull();
    const unauthenticated = await mcpPost(
      server.url,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { origin: CLOUDFLARE },
    );
    expect(unauthenticated.status).toBe(403);
    expect(unauthenticated.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the authorize and login pages are navigations: no CORS answer, for any origin', async () => {
    const client = (await grantTokens(server)).client;
    const params = authorizeParams(client.client_id, client.redirect_uris[0]!);
    for (const origin of ['https://claude.ai', CLOUDFLARE]) {
      const page = await fetch(authorizeUrl(server.url, params), {
        headers: { origin },
        redirect: 'manual',
      });
      expect(page.headers.get('access-control-allow-origin')).toBeNull();
      await page.body?.cancel();
      for (const path of ['/oauth/authorize', '/oauth/login']) {
        const post = await postForm(`${server.url}${path}`, {}, { origin });
        expect(post.headers.get('access-control-allow-origin'), path).toBeNull();
        const options = await preflight(`${server.url}${path}`, origin, 'POST');
        expect(options.status).toBe(204);
        expect(options.headers.get('access-control-allow-origin'), path).toBeNull();
      }
    }
  });

  it('an Origin header that is not an origin is not echoed', async () => {
    const response = await fetch(`${server.url}/.well-known/oauth-authorization-server`, {
      headers: { origin: 'https://a.example, https://b.example' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    await response.body?.cancel();
  });
});
