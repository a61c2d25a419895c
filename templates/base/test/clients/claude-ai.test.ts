import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, OFFLINE_ACCESS, SCOPES } from '../../src/oauth/scopes.js';
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

const CALLBACK = 'https://claude.ai/api/mcp/auth_callback';
const CIMD_URL = 'https://claude.ai/oauth/mcp-oauth-client-metadata';

/** What claude.ai's own metadata document says about it (served here without the network). */
const CLAUDE_DOCUMENT = {
  client_id: CIMD_URL,
  client_name: 'Claude',
  client_uri: 'https://claude.ai',
  redirect_uris: [CALLBACK],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

function documentFetch(): typeof fetch {
  return async (input) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url !== CIMD_URL) return new Response('not found', { status: 404 });
    return Response.json(CLAUDE_DOCUMENT, { headers: { 'cache-control': 'max-age=3600' } });
  };
}

describe('client claude.ai / Claude Desktop: DCR with client_secret_post, server-side token exchange', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('discovers PRM and AS metadata from the root well-known paths', async () => {
    const prm = await getJson(`${server.url}/.well-known/oauth-protected-resource`);
    expect(prm.status).toBe(200);
    expect(prm.json.authorization_servers).toEqual([server.issuer]);
    const metadata = await getJson(`${server.issuer}/.well-known/oauth-authorization-server`);
    expect(metadata.status).toBe(200);
    expect(metadata.json.token_endpoint_auth_methods_supported).toContain('client_secret_post');
  });

  it('registers as Claude with client_secret_post and gets a secret', async () => {
    client = await registerClient(server.url, {
      client_name: 'Claude',
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    expect(client.token_endpoint_auth_method).toBe('client_secret_post');
    expect(client.client_secret).toEqual(expect.any(String));
  });

  it('completes the flow with repeated resource, a made-up scope and offline_access, then calls whoami', async () => {
    const resource = [server.resource, server.resource];
    const code = await authorizeCode(sharedBrowser(server), client, {
      scope: `${BASELINE_SCOPE} claudeai ${OFFLINE_ACCESS}`,
      resource,
    });
    expect(`${code.location.origin}${code.location.pathname}`).toBe(CALLBACK);
    expect(code.location.searchParams.has('iss')).toBe(false);
    const tokens = await exchangeCode(server.url, client, { ...code, resource });
    expect(tokens.status).toBe(200);
    expect(tokens.json.token_type).toBe('bearer');
    const identity = await whoami(server.url, tokens.json.access_token);
    expect(identity.clientId).toBe(client.client_id);
    expect(identity.userId).toBe(server.user.userId);
    expect(identity.scopes).toEqual(expect.arrayContaining(SCOPES.map((scope) => scope.name)));

    const refreshed = await refresh(server.url, client, tokens.json.refresh_token, { resource });
    expect(refreshed.status).toBe(200);
    await whoami(server.url, refreshed.json.access_token);
  });

  it('a burst of parallel refreshes with one token keeps the connector alive', async () => {
    const code = await authorizeCode(sharedBrowser(server), client, { resource: server.resource });
    const tokens = (await exchangeCode(server.url, client, { ...code, resource: server.resource }))
      .json;
    const burst = await Promise.all(
      Array.from({ length: 8 }, () => refresh(server.url, client, tokens.refresh_token)),
    );
    expect(burst.map((result) => result.status)).toEqual(Array(8).fill(200));
    await Promise.all(burst.map((result) => whoami(server.url, result.json.access_token)));
  });
});

describe('client claude.ai / Claude Desktop: CIMD https://claude.ai/oauth/mcp-oauth-client-metadata', () => {
  let server: TestServer;

  beforeAll(async () => {
    // The document is served by an injected fetch; the setting only skips the DNS check for claude.ai.
    server = await startTestServer(
      { CIMD_ALLOW_PRIVATE_ADDRESSES: 'true' },
      { fetch: documentFetch() },
    );
  });
  afterAll(() => server.close());

  it('completes the flow with the CIMD URL as client_id and no registration', async () => {
    const client = publicClient(CIMD_URL, [CALLBACK]);
    const resource = [server.resource, server.resource];
    const code = await authorizeCode(sharedBrowser(server), client, {
      scope: `${BASELINE_SCOPE} claudeai`,
      resource,
    });
    const tokens = await exchangeCode(server.url, client, { ...code, resource });
    expect(tokens.status).toBe(200);
    const identity = await whoami(server.url, tokens.json.access_token);
    expect(identity.clientId).toBe(CIMD_URL);
  });

  it('the consent page names Claude and claude.ai', async () => {
    const client = publicClient(CIMD_URL, [CALLBACK]);
    const page = await sharedBrowser(server).openConsent({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: CALLBACK,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'state-1',
    });
    expect(page.html).toContain('Claude');
    expect(page.html).toContain('claude.ai');
  });
});
