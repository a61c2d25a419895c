import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, SCOPES } from '../../src/oauth/scopes.js';
import { whoami } from '../helpers/mcp.js';
import {
  authorizeCode,
  exchangeCode,
  getJson,
  publicClient,
  refresh,
  registerClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CALLBACK = 'https://chatgpt.com/connector/oauth/cb_7f3a9d2e41';
const LEGACY_CALLBACK = 'https://chatgpt.com/connector_platform_oauth_redirect';
const CIMD_URL = 'https://chatgpt.com/oauth/app_4f2c9e/client.json';

describe('client ChatGPT: suffixed PRM first, DCR, connector callbacks', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('discovers through the /mcp-suffixed PRM first, then the root PRM and AS metadata', async () => {
    const suffixed = await getJson(`${server.url}/.well-known/oauth-protected-resource/mcp`, {
      'mcp-protocol-version': '2025-06-18',
    });
    expect(suffixed.status).toBe(200);
    expect(suffixed.json.resource).toBe(server.resource);
    const root = await getJson(`${server.url}/.well-known/oauth-protected-resource`);
    expect(root.json).toEqual(suffixed.json);
    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/oauth-authorization-server/mcp',
    ]) {
      const metadata = await getJson(`${server.url}${path}`);
      expect(metadata.status).toBe(200);
      expect(metadata.json.registration_endpoint).toBe(`${server.issuer}/oauth/register`);
    }
  });

  it('registers both connector callbacks as a public client', async () => {
    client = await registerClient(server.url, {
      client_name: 'ChatGPT',
      redirect_uris: [CALLBACK, LEGACY_CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    expect(client.redirect_uris).toEqual([CALLBACK, LEGACY_CALLBACK]);
    expect(client).not.toHaveProperty('client_secret');
  });

  it('completes the flow asking for every advertised scope, then calls whoami', async () => {
    const metadata = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    const scope = (metadata.json.scopes_supported as string[]).join(' ');
    const code = await authorizeCode(sharedBrowser(server), client, {
      redirectUri: CALLBACK,
      scope,
      resource: server.resource,
    });
    expect(`${code.location.origin}${code.location.pathname}`).toBe(CALLBACK);
    const tokens = await exchangeCode(server.url, client, { ...code, resource: server.resource });
    expect(tokens.status).toBe(200);
    const identity = await whoami(server.url, tokens.json.access_token);
    expect(identity.clientId).toBe(client.client_id);
    expect(identity.scopes).toEqual(expect.arrayContaining(SCOPES.map((entry) => entry.name)));
  });

  it('reconnects through the legacy callback without any scope parameter and still gets the baseline', async () => {
    const code = await authorizeCode(sharedBrowser(server), client, {
      redirectUri: LEGACY_CALLBACK,
      resource: server.resource,
    });
    const tokens = await exchangeCode(server.url, client, { ...code, resource: server.resource });
    expect(tokens.status).toBe(200);
    expect(tokens.json.scope.split(' ')).toContain(BASELINE_SCOPE);
    const refreshed = await refresh(server.url, client, tokens.json.refresh_token);
    expect(refreshed.status).toBe(200);
    await whoami(server.url, refreshed.json.access_token);
  });
});

describe('client ChatGPT: CIMD client.json offering "none"', () => {
  let server: TestServer;

  beforeAll(async () => {
    const document = {
      client_id: CIMD_URL,
      client_name: 'ChatGPT',
      redirect_uris: [CALLBACK, LEGACY_CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
      token_endpoint_auth_method: 'none',
    };
    const serveDocument: typeof fetch = async (input) =>
      String(input instanceof Request ? input.url : input) === CIMD_URL
        ? Response.json(document)
        : new Response('not found', { status: 404 });
    server = await startTestServer(
      { CIMD_ALLOW_PRIVATE_ADDRESSES: 'true' },
      { fetch: serveDocument },
    );
  });
  afterAll(() => server.close());

  it('completes the flow with the document URL as client_id and PKCE only', async () => {
    const client = publicClient(CIMD_URL, [CALLBACK]);
    const code = await authorizeCode(sharedBrowser(server), client, { resource: server.resource });
    const tokens = await exchangeCode(server.url, client, { ...code, resource: server.resource });
    expect(tokens.status).toBe(200);
    expect((await whoami(server.url, tokens.json.access_token)).clientId).toBe(CIMD_URL);
  });
});
