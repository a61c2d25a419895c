import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whoami } from '../helpers/mcp.js';
import {
  authorizeParams,
  authorizeUrl,
  exchangeCode,
  getJson,
  obtainTokens,
  pkcePair,
  publicClient,
  refresh,
  sharedBrowser,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

/** A client's own web server, hosting its Client ID Metadata Documents on loopback. */
interface DocumentHost {
  base: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

async function startDocumentHost(): Promise<DocumentHost> {
  const hits = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  let base = '';
  const document = (path: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      client_id: `${base}${path}`,
      client_name: 'Loopback CIMD client',
      redirect_uris: [REDIRECT],
      ...extra,
    });

  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const json = (body: string, headers: Record<string, string> = {}) => {
      response.writeHead(200, { 'content-type': 'application/json', ...headers });
      response.end(body);
    };
    switch (path) {
      case '/clients/valid.json':
        return json(document(path), { 'cache-control': 'no-store' });
      case '/clients/cached.json':
        return json(document(path), { 'cache-control': 'max-age=300' });
      case '/clients/uncached.json':
        return json(document(path), { 'cache-control': 'no-store' });
      case '/clients/mismatch.json':
        return json(document(path, { client_id: `${base}/clients/someone-else.json` }));
      case '/clients/no-name.json':
        return json(document(path, { client_name: undefined }));
      case '/clients/oversized.json':
        return json(document(path, { description: 'x'.repeat(6 * 1024) }));
      case '/clients/redirect.json':
        response.writeHead(302, { location: `${base}/clients/redirect-target.json` });
        return response.end();
      case '/clients/redirect-target.json':
        return json(document(path));
      case '/clients/not-json.json':
        return json('<html>not json</html>');
      case '/clients/hang.json':
        hanging.add(response);
        return undefined;
      default:
        response.writeHead(404);
        return response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    hits,
    close: () =>
      new Promise((resolve) => {
        for (const response of hanging) response.destroy();
        server.close(() => resolve());
      }),
  };
}

function params(clientId: string, redirectUri = REDIRECT) {
  return authorizeParams(clientId, redirectUri);
}

describe('quirk cimd: Client ID Metadata Documents (loopback allowed by CIMD_ALLOW_PRIVATE_ADDRESSES)', () => {
  let host: DocumentHost;
  let server: TestServer;

  beforeAll(async () => {
    host = await startDocumentHost();
    server = await startTestServer({ CIMD_ALLOW_PRIVATE_ADDRESSES: 'true' });
  });
  afterAll(async () => {
    await server.close();
    await host.close();
  });

  async function authorizeStatus(path: string, redirectUri = REDIRECT): Promise<Response> {
    return sharedBrowser(server).get(
      authorizeUrl(server.url, params(`${host.base}${path}`, redirectUri)),
    );
  }

  it('advertises client_id_metadata_document_supported: true', async () => {
    const metadata = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json.client_id_metadata_document_supported).toBe(true);
  });

  it('completes the flow with the document URL as client_id, with no registration', async () => {
    const clientId = `${host.base}/clients/valid.json`;
    const client = publicClient(clientId, [REDIRECT]);
    const tokens = await obtainTokens(sharedBrowser(server), client);
    const identity = await whoami(server.url, tokens.access_token);
    expect(identity.clientId).toBe(clientId);
    expect((await refresh(server.url, client, tokens.refresh_token)).status).toBe(200);
  });

  it('the consent page shows the client name and the redirect host', async () => {
    const page = await sharedBrowser(server).openConsent(params(`${host.base}/clients/valid.json`));
    expect(page.html).toContain('Loopback CIMD client');
    expect(page.html).toContain('app.example.com');
  });

  it('refuses a redirect_uri the document does not list (400 page, no redirect)', async () => {
    const response = await authorizeStatus('/clients/valid.json', 'https://evil.example/callback');
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('refuses a document whose client_id differs from its URL', async () => {
    const response = await authorizeStatus('/clients/mismatch.json');
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('refuses a document without client_name', async () => {
    expect((await authorizeStatus('/clients/no-name.json')).status).toBe(400);
  });

  it('refuses a document larger than 5 KB', async () => {
    const response = await authorizeStatus('/clients/oversized.json');
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('does not follow a redirect from the document URL', async () => {
    const response = await authorizeStatus('/clients/redirect.json');
    expect(response.status).toBe(400);
    expect(host.hits.get('/clients/redirect.json')).toBe(1);
    expect(host.hits.get('/clients/redirect-target.json') ?? 0).toBe(0);
  });

  it('refuses a document that is not JSON, or is missing', async () => {
    expect((await authorizeStatus('/clients/not-json.json')).status).toBe(400);
    expect((await authorizeStatus('/clients/missing.json')).status).toBe(400);
  });

  it('gives up on a host that does not answer within 5 seconds', async () => {
    const started = Date.now();
    const response = await authorizeStatus('/clients/hang.json');
    expect(response.status).toBe(400);
    expect(Date.now() - started).toBeLessThan(7000);
  }, 10_000);

  it('caches a document for its Cache-Control max-age', async () => {
    await authorizeStatus('/clients/cached.json');
    await authorizeStatus('/clients/cached.json');
    expect(host.hits.get('/clients/cached.json')).toBe(1);
  });

  it('fetches a no-store document again each time', async () => {
    await authorizeStatus('/clients/uncached.json');
    await authorizeStatus('/clients/uncached.json');
    expect(host.hits.get('/clients/uncached.json')).toBe(2);
  });

  it('a token exchange for a CIMD client needs the PKCE verifier like any public client', async () => {
    const clientId = `${host.base}/clients/valid.json`;
    const client = publicClient(clientId, [REDIRECT]);
    const browser = sharedBrowser(server);
    const pkce = pkcePair();
    const { location } = await browser.authorize({
      ...params(clientId),
      code_challenge: pkce.challenge,
    });
    const result = await exchangeCode(server.url, client, {
      code: location.searchParams.get('code')!,
      verifier: pkcePair().verifier,
      redirectUri: REDIRECT,
    });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_grant');
  });
});

describe('quirk cimd: private and loopback document hosts are refused by default', () => {
  let host: DocumentHost;
  let server: TestServer;

  beforeAll(async () => {
    host = await startDocumentHost();
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
    await host.close();
  });

  it('refuses a loopback document URL without fetching it', async () => {
    const response = await sharedBrowser(server).get(
      authorizeUrl(server.url, params(`${host.base}/clients/valid.json`)),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(host.hits.get('/clients/valid.json') ?? 0).toBe(0);
  });

  it('refuses https document URLs on private addresses without fetching them', async () => {
    for (const clientId of [
      'https://10.0.0.8/client.json',
      'https://192.168.1.20/client.json',
      'https://[::1]/client.json',
    ]) {
      const response = await sharedBrowser(server).get(authorizeUrl(server.url, params(clientId)));
      expect(response.status, clientId).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    }
  });
});
