import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, OFFLINE_ACCESS } from '../../src/oauth/scopes.js';
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

const CIMD_URL = 'https://claude.ai/oauth/claude-code-client-metadata';

describe('client Claude Code: DCR, random localhost port, offline_access, trailing-slash resource', () => {
  let server: TestServer;
  let client: RegisteredClient;
  const redirectUri = 'http://localhost:54212/callback';

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('registers with its localhost callback as a public client', async () => {
    client = await registerClient(server.url, {
      client_name: 'Claude Code (my-mcp-server)',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    expect(client.token_endpoint_auth_method).toBe('none');
  });

  it('asks for the PRM scopes plus offline_access and gets a refresh token', async () => {
    const prm = await getJson(`${server.url}/.well-known/oauth-protected-resource/mcp`);
    const scope = [...(prm.json.scopes_supported as string[]), OFFLINE_ACCESS].join(' ');
    const code = await authorizeCode(sharedBrowser(server), client, {
      redirectUri,
      scope,
      resource: server.resource,
    });
    const tokens = await exchangeCode(server.url, client, { ...code, resource: server.resource });
    expect(tokens.status).toBe(200);
    expect(tokens.json.refresh_token).toEqual(expect.any(String));
    expect((await whoami(server.url, tokens.json.access_token)).scopes).toContain(BASELINE_SCOPE);
  });

  it('sends the resource with a trailing slash and is still accepted at both endpoints', async () => {
    const resource = `${server.resource}/`;
    const code = await authorizeCode(sharedBrowser(server), client, { redirectUri, resource });
    const tokens = await exchangeCode(server.url, client, { ...code, resource });
    expect(tokens.status).toBe(200);
    await whoami(server.url, tokens.json.access_token);
  });

  it('parallel tool calls refreshing with the same token all keep working', async () => {
    const code = await authorizeCode(sharedBrowser(server), client, { redirectUri });
    const tokens = (await exchangeCode(server.url, client, code)).json;
    const parallel = await Promise.all(
      Array.from({ length: 5 }, () => refresh(server.url, client, tokens.refresh_token)),
    );
    expect(parallel.map((result) => result.status)).toEqual(Array(5).fill(200));
    await Promise.all(parallel.map((result) => whoami(server.url, result.json.access_token)));
  });
});

describe('client Claude Code: CIMD https://claude.ai/oauth/claude-code-client-metadata with any loopback port', () => {
  let server: TestServer;

  beforeAll(async () => {
    const document = {
      client_id: CIMD_URL,
      client_name: 'Claude Code',
      redirect_uris: ['http://localhost/callback', 'http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
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

  it('completes the flow on a random localhost port the document never listed', async () => {
    const client = publicClient(CIMD_URL, ['http://localhost:61999/callback']);
    const code = await authorizeCode(sharedBrowser(server), client, {
      scope: `${BASELINE_SCOPE} ${OFFLINE_ACCESS}`,
      resource: `${server.resource}/`,
    });
    const tokens = await exchangeCode(server.url, client, {
      ...code,
      resource: `${server.resource}/`,
    });
    expect(tokens.status).toBe(200);
    expect((await whoami(server.url, tokens.json.access_token)).clientId).toBe(CIMD_URL);
    expect((await refresh(server.url, client, tokens.json.refresh_token)).status).toBe(200);
  });
});
