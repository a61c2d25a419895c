import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listHeader } from '../helpers/headers.js';
import { callTool } from '../helpers/mcp.js';
import { grantTokens } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

async function preflight(url: string, origin: string, requestHeaders: string): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': requestHeaders,
    },
  });
}

function allowedHeaders(response: Response): string[] {
  return listHeader(response.headers.get('access-control-allow-headers'));
}

describe('quirk cors-reflect-headers: a preflight allows every valid header the browser asks for', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('allows per-tool Mcp-Param-* headers and DPoP on /mcp, beside the fixed list', async () => {
    const response = await preflight(
      `${server.url}/mcp`,
      'https://claude.ai',
      'authorization,content-type,dpop,mcp-param-region,mcp-param-user-id,mcp-protocol-version',
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://claude.ai');
    expect(allowedHeaders(response)).toEqual(
      expect.arrayContaining([
        'dpop',
        'mcp-param-region',
        'mcp-param-user-id',
        'authorization',
        'mcp-session-id',
        'last-event-id',
      ]),
    );
    expect(listHeader(response.headers.get('vary'))).toEqual(
      expect.arrayContaining(['origin', 'access-control-request-headers']),
    );
  });

  it('allows DPoP on the token endpoint for any origin (quirk cors-open-oauth)', async () => {
    const response = await preflight(
      `${server.url}/oauth/token`,
      'https://dash.cloudflare.com',
      'content-type, DPoP',
    );
    expect(response.status).toBe(204);
    expect(allowedHeaders(response)).toEqual(expect.arrayContaining(['dpop', 'content-type']));
  });

  it('names each header once, whatever its case in the request', async () => {
    const response = await preflight(
      `${server.url}/mcp`,
      'https://claude.ai',
      'Authorization, MCP-PARAM-X, mcp-param-x, mcp-session-id',
    );
    const allowed = allowedHeaders(response);
    expect(allowed.filter((name) => name === 'mcp-param-x')).toHaveLength(1);
    expect(allowed.filter((name) => name === 'authorization')).toHaveLength(1);
  });

  it('drops a requested name that is not a valid HTTP token, and still answers 204 with the rest', async () => {
    const response = await preflight(
      `${server.url}/mcp`,
      'https://claude.ai',
      'mcp-param-ok, bad header, x"quoted", x:colon, {braces}, mcp-param-also-ok',
    );
    expect(response.status).toBe(204);
    const allowed = allowedHeaders(response);
    expect(allowed).toEqual(expect.arrayContaining(['mcp-param-ok', 'mcp-param-also-ok']));
    for (const invalid of ['bad header', 'x"quoted"', 'x:colon', '{braces}']) {
      expect(allowed).not.toContain(invalid);
    }
    for (const name of allowed) expect(name).toMatch(/^[!#$%&'*+\-.^_`|~0-9a-z]+$/);
  });

  it('reflects nothing for an origin that /mcp does not allow', async () => {
    const response = await preflight(`${server.url}/mcp`, 'https://evil.example', 'mcp-param-x');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('exposes DPoP-Nonce on real responses, beside the cors-preflight headers', async () => {
    const { tokens } = await grantTokens(server);
    const result = await callTool(
      server.url,
      tokens.access_token,
      'whoami',
      {},
      { origin: 'https://claude.ai', 'mcp-param-region': 'eu' },
    );
    expect(result.status).toBe(200);
    expect(listHeader(result.headers.get('access-control-expose-headers'))).toEqual(
      expect.arrayContaining([
        'dpop-nonce',
        'www-authenticate',
        'mcp-session-id',
        'mcp-protocol-version',
      ]),
    );
    const metadata = await fetch(`${server.url}/.well-known/oauth-authorization-server`, {
      headers: { origin: 'https://dash.cloudflare.com' },
    });
    expect(listHeader(metadata.headers.get('access-control-expose-headers'))).toContain(
      'dpop-nonce',
    );
    await metadata.body?.cancel();
  });
});
