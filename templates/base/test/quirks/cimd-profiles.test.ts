import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whoami } from '../helpers/mcp.js';
import {
  authorizeParams,
  authorizeUrl,
  exchangeCode,
  getJson,
  obtainTokens,
  publicClient,
  refresh,
  sharedBrowser,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

type Document = Record<string, unknown>;

/**
 * Metadata documents shaped like the ones real clients publish (see §4 of the behaviour contract),
 * each served from loopback under its own path; `client_id` is filled in with the served URL.
 */
const PROFILES: Record<string, { document: Document; redirectUri: string }> = {
  // VS Code lists device_code among its grant types, and a portless loopback redirect.
  vscode: {
    document: {
      client_name: 'Visual Studio Code',
      client_uri: 'https://code.visualstudio.com',
      logo_uri: 'https://code.visualstudio.com/assets/favicon.ico',
      redirect_uris: [
        'https://insiders.vscode.dev/redirect',
        'https://vscode.dev/redirect',
        'http://127.0.0.1/',
        'http://127.0.0.1:33418/',
      ],
      grant_types: [
        'authorization_code',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    },
    redirectUri: 'http://127.0.0.1:41873/',
  },
  // Codex: a per-callback document with one loopback redirect.
  codex: {
    document: {
      client_name: 'Codex',
      redirect_uris: ['http://127.0.0.1/callback/3f9c2a'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'mcp:read offline_access',
    },
    redirectUri: 'http://127.0.0.1:1455/callback/3f9c2a',
  },
  // Zed: the SEP-3149 list of auth methods instead of a single one, and a portless loopback redirect.
  zed: {
    document: {
      client_name: 'Zed',
      client_uri: 'https://zed.dev',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['none'],
      application_type: 'native',
    },
    redirectUri: 'http://127.0.0.1:27523/callback',
  },
  // Goose: only the required fields; no grant types, no auth method.
  goose: {
    document: {
      client_name: 'Goose',
      redirect_uris: ['http://localhost/oauth_callback'],
    },
    redirectUri: 'http://localhost:53621/oauth_callback',
  },
};

const EXTRA_DOCUMENTS: Record<string, Document> = {
  'private-key-jwt-only': {
    client_name: 'Key-only client',
    redirect_uris: ['https://keys.example/callback'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
  },
  'private-key-jwt-declared': {
    client_name: 'Key-declared client',
    redirect_uris: ['https://keys.example/callback'],
    token_endpoint_auth_method: 'private_key_jwt',
  },
  'private-key-jwt-or-none': {
    client_name: 'ChatGPT-like client',
    redirect_uris: ['https://chatgpt.example/connector/oauth/abc'],
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'none'],
    token_endpoint_auth_method: 'private_key_jwt',
  },
  'one-bad-redirect': {
    client_name: 'Mixed redirects',
    redirect_uris: ['javascript:alert(1)', 'https://good.example/callback'],
  },
};

async function startDocumentHost(): Promise<{ base: string; close(): Promise<void> }> {
  let base = '';
  const server: Server = createServer((request, response) => {
    const name = /^\/clients\/([\w-]+)\.json$/.exec(request.url ?? '')?.[1] ?? '';
    const document = PROFILES[name]?.document ?? EXTRA_DOCUMENTS[name];
    if (!document) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
    response.end(JSON.stringify({ client_id: `${base}${request.url}`, ...document }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('quirk cimd-profiles: metadata documents as real clients publish them', () => {
  let host: Awaited<ReturnType<typeof startDocumentHost>>;
  let server: TestServer;

  beforeAll(async () => {
    host = await startDocumentHost();
    server = await startTestServer({ CIMD_ALLOW_PRIVATE_ADDRESSES: 'true' });
  });
  afterAll(async () => {
    await server.close();
    await host.close();
  });

  const documentUrl = (name: string) => `${host.base}/clients/${name}.json`;

  it('quirk cimd-profiles: AS metadata lists none among the token endpoint auth methods', async () => {
    const metadata = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json.token_endpoint_auth_methods_supported).toContain('none');
    expect(metadata.json.client_id_metadata_document_supported).toBe(true);
  });

  for (const [name, profile] of Object.entries(PROFILES)) {
    it(`quirk cimd-profiles: a ${name}-shaped document connects, calls /mcp and refreshes as a public client`, async () => {
      const clientId = documentUrl(name);
      const client = publicClient(clientId, [profile.redirectUri]);
      const tokens = await obtainTokens(sharedBrowser(server), client);
      expect((await whoami(server.url, tokens.access_token)).clientId).toBe(clientId);
      const refreshed = await refresh(server.url, client, tokens.refresh_token);
      expect(refreshed.status).toBe(200);
      expect(refreshed.json.refresh_token).toEqual(expect.any(String));
    });
  }

  it('quirk cimd-profiles: a document that offers only private_key_jwt is refused (invalid_client_metadata), with no redirect', async () => {
    for (const name of ['private-key-jwt-only', 'private-key-jwt-declared']) {
      const params = authorizeParams(documentUrl(name), 'https://keys.example/callback');
      const response = await sharedBrowser(server).get(authorizeUrl(server.url, params));
      expect(response.status, name).toBe(400);
      expect(response.headers.get('location'), name).toBeNull();
      expect(await response.text(), name).toContain('auth method');
    }
    const result = await exchangeCode(
      server.url,
      publicClient(documentUrl('private-key-jwt-only'), ['https://keys.example/callback']),
      { code: 'unused', verifier: 'unused', redirectUri: 'https://keys.example/callback' },
    );
    expect(result.status).toBe(401);
    expect(result.json.error).toBe('invalid_client');
  });

  it('quirk cimd-profiles: a document offering private_key_jwt and none is read as none', async () => {
    const redirectUri = 'https://chatgpt.example/connector/oauth/abc';
    const client = publicClient(documentUrl('private-key-jwt-or-none'), [redirectUri]);
    const tokens = await obtainTokens(sharedBrowser(server), client);
    expect(tokens.token_type).toBe('bearer');
  });

  it('quirk cimd-profiles: one unusable redirect URI in a document is dropped, not fatal', async () => {
    const clientId = documentUrl('one-bad-redirect');
    const tokens = await obtainTokens(
      sharedBrowser(server),
      publicClient(clientId, ['https://good.example/callback']),
    );
    expect(tokens.access_token).toEqual(expect.any(String));
    const params = authorizeParams(clientId, 'javascript:alert(1)');
    const response = await sharedBrowser(server).get(authorizeUrl(server.url, params));
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });
});
