import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listHeader } from '../helpers/headers.js';
import { mcpPost } from '../helpers/mcp.js';
import { postForm } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'mcp-protocol-version',
  'mcp-session-id',
  'mcp-method',
  'mcp-name',
  'last-event-id',
];
const EXPOSED_HEADERS = ['www-authenticate', 'mcp-session-id', 'mcp-protocol-version'];

/** Every metadata, OAuth and MCP route, with the method a browser would preflight for. */
const ROUTES: [string, string][] = [
  ['/.well-known/oauth-protected-resource', 'GET'],
  ['/.well-known/oauth-protected-resource/mcp', 'GET'],
  ['/.well-known/oauth-authorization-server', 'GET'],
  ['/.well-known/oauth-authorization-server/mcp', 'GET'],
  ['/oauth/register', 'POST'],
  ['/register', 'POST'],
  ['/oauth/token', 'POST'],
  ['/token', 'POST'],
  ['/oauth/revoke', 'POST'],
  ['/revoke', 'POST'],
  ['/mcp', 'POST'],
];

/** Pages the browser navigates to: they answer OPTIONS too, but grant no cross-origin reads (quirk cors-open-oauth). */
const PAGES: [string, string][] = [
  ['/oauth/authorize', 'GET'],
  ['/authorize', 'POST'],
  ['/oauth/login', 'POST'],
];

async function preflight(url: string, origin: string, method: string): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type, mcp-protocol-version',
    },
  });
}

describe('quirk cors-preflight: OPTIONS answers 204 everywhere, before any auth check', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  for (const [path, method] of ROUTES) {
    it(`OPTIONS ${path} from https://claude.ai is 204 with the full CORS answer`, async () => {
      const response = await preflight(`${server.url}${path}`, 'https://claude.ai', method);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://claude.ai');
      expect(listHeader(response.headers.get('access-control-allow-methods'))).toContain(
        method.toLowerCase(),
      );
      expect(listHeader(response.headers.get('access-control-allow-headers'))).toEqual(
        expect.arrayContaining(ALLOWED_HEADERS),
      );
      expect(response.headers.get('access-control-max-age')).toBe('86400');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(listHeader(response.headers.get('vary'))).toContain('origin');
    });
  }

  for (const [path, method] of PAGES) {
    it(`OPTIONS ${path} is 204 too, before any session or CSRF check, and allows no origin`, async () => {
      const response = await preflight(`${server.url}${path}`, 'https://claude.ai', method);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  }

  it('a trailing slash preflight is answered the same way, not redirected', async () => {
    const response = await preflight(`${server.url}/oauth/token/`, 'https://chatgpt.com', 'POST');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://chatgpt.com');
  });

  it('echoes every default browser-client origin', async () => {
    for (const origin of [
      'https://claude.ai',
      'https://claude.com',
      'https://chatgpt.com',
      'https://cursor.com',
      'https://vscode.dev',
      'https://insiders.vscode.dev',
      'https://github.dev',
    ]) {
      const response = await preflight(`${server.url}/mcp`, origin, 'POST');
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    }
  });

  it('echoes loopback origins (local inspectors and dev tools)', async () => {
    for (const origin of ['http://localhost:6274', 'http://127.0.0.1:5173']) {
      const response = await preflight(`${server.url}/mcp`, origin, 'POST');
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    }
  });

  it('on /mcp does not echo an origin that is not allowed, and never answers *', async () => {
    const response = await preflight(`${server.url}/mcp`, 'https://evil.example', 'POST');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-headers')).toBeNull();
    expect(listHeader(response.headers.get('vary'))).toContain('origin');
  });

  it('real responses echo the origin and expose WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version', async () => {
    const metadata = await fetch(`${server.url}/.well-known/oauth-protected-resource/mcp`, {
      headers: { origin: 'https://claude.ai' },
    });
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get('access-control-allow-origin')).toBe('https://claude.ai');
    expect(listHeader(metadata.headers.get('access-control-expose-headers'))).toEqual(
      expect.arrayContaining(EXPOSED_HEADERS),
    );
    expect(listHeader(metadata.headers.get('vary'))).toContain('origin');
  });

  it('the 401 from /mcp carries CORS headers so the browser can read WWW-Authenticate', async () => {
    const response = await mcpPost(
      server.url,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { origin: 'https://claude.ai' },
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://claude.ai');
    expect(listHeader(response.headers.get('access-control-expose-headers'))).toContain(
      'www-authenticate',
    );
  });

  it('JSON errors from the token endpoint carry CORS headers too', async () => {
    const result = await postForm(
      `${server.url}/oauth/token`,
      { grant_type: 'authorization_code' },
      { origin: 'https://chatgpt.com' },
    );
    expect(result.status).toBe(401);
    expect(result.json.error).toBe('invalid_client');
    expect(result.headers.get('access-control-allow-origin')).toBe('https://chatgpt.com');
  });
});

describe('quirk cors-preflight: ALLOWED_ORIGINS replaces the default list', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ALLOWED_ORIGINS: 'https://app.example.com' });
  });
  afterAll(() => server.close());

  it('echoes a configured origin', async () => {
    const response = await preflight(`${server.url}/mcp`, 'https://app.example.com', 'POST');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('no longer echoes a default origin that was left out', async () => {
    const response = await preflight(`${server.url}/mcp`, 'https://claude.ai', 'POST');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
