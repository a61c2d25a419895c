import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, OFFLINE_ACCESS } from '../../src/oauth/scopes.js';
import {
  CLAUDE_CODE_DOCUMENT,
  claudeCodeRegistration,
  connectAndRefresh,
  documentClient,
  startProfileServer,
  type ProfileServer,
} from '../helpers/client-profiles.js';
import { whoami } from '../helpers/mcp.js';
import {
  authorizeCode,
  authorizeParams,
  authorizeUrl,
  exchangeCode,
  getJson,
  refresh,
  registerClient,
  revoke,
  sharedBrowser,
  type RegisteredClient,
  type TokenResponse,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Claude Code asks for what PRM lists plus offline_access, advertised there or not. */
async function claudeCodeScope(server: TestServer): Promise<string> {
  const prm = await getJson(`${server.url}/.well-known/oauth-protected-resource/mcp`);
  return [...(prm.json.scopes_supported as string[]), OFFLINE_ACCESS].join(' ');
}

/**
 * Claude Code's refresh: rotate, then revoke the refresh token it just replaced (claude-code#94471),
 * and go on with the new pair. Three rounds, so a server that ends the grant on that revocation fails.
 */
async function refreshAndRevokeReplaced(
  server: TestServer,
  client: RegisteredClient,
  tokens: TokenResponse,
): Promise<TokenResponse> {
  let current = tokens;
  for (let round = 0; round < 3; round++) {
    const refreshed = await refresh(server.url, client, current.refresh_token);
    expect(refreshed.status, refreshed.text).toBe(200);
    expect((await revoke(server.url, client, current.refresh_token, 'refresh_token')).status).toBe(
      200,
    );
    current = refreshed.json;
    expect((await whoami(server.url, current.access_token)).clientId).toBe(client.client_id);
  }
  const next = await refresh(server.url, client, current.refresh_token);
  expect(next.status, next.text).toBe(200);
  return next.json;
}

describe('client Claude Code: DCR, random localhost port, offline_access, trailing-slash resource', () => {
  let server: TestServer;
  let client: RegisteredClient;
  const redirectUri = 'http://localhost:54212/callback';

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('registers with its localhost callback as a public client', async () => {
    client = await registerClient(server.url, claudeCodeRegistration(redirectUri));
    expect(client.token_endpoint_auth_method).toBe('none');
  });

  it('asks for the PRM scopes plus offline_access and gets a refresh token', async () => {
    const { tokens } = await connectAndRefresh(server, client, {
      redirectUri,
      scope: await claudeCodeScope(server),
      resource: server.resource,
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope.split(' ')).toContain(BASELINE_SCOPE);
  });

  it('sends the resource with a trailing slash and is still accepted at both endpoints', async () => {
    await connectAndRefresh(server, client, { redirectUri, resource: `${server.resource}/` });
  });

  it('rule revoke-superseded: revokes the refresh token it replaced after each refresh and carries on', async () => {
    const code = await authorizeCode(sharedBrowser(server), client, {
      redirectUri,
      scope: await claudeCodeScope(server),
    });
    const tokens = await exchangeCode(server.url, client, code);
    expect(tokens.status).toBe(200);
    const last = await refreshAndRevokeReplaced(server, client, tokens.json);
    await whoami(server.url, last.access_token);
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

  it('reuses its client_id until the server answers 401 invalid_client, then registers again', async () => {
    // A client_id this server no longer knows (pruned, or the database was replaced).
    const forgotten: RegisteredClient = { ...client, client_id: 'a-client-this-server-forgot' };
    const refused = await refresh(server.url, forgotten, 'the-refresh-token-it-kept');
    expect(refused.status).toBe(401);
    expect(refused.json.error).toBe('invalid_client');
    const page = await sharedBrowser(server).get(
      authorizeUrl(server.url, authorizeParams(forgotten.client_id, redirectUri)),
    );
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();

    const again = await registerClient(server.url, claudeCodeRegistration(redirectUri));
    expect(again.client_id).not.toBe(forgotten.client_id);
    await connectAndRefresh(server, again, { redirectUri, scope: await claudeCodeScope(server) });
  });
});

describe('client Claude Code: CIMD https://claude.ai/oauth/claude-code-client-metadata with portless loopback', () => {
  let server: ProfileServer;

  beforeAll(async () => {
    server = await startProfileServer([CLAUDE_CODE_DOCUMENT]);
  });
  afterAll(() => server.close());

  for (const redirectUri of [
    'http://localhost:61999/callback',
    'http://127.0.0.1:50433/callback',
  ]) {
    it(`completes the flow on ${redirectUri}, a port the document never listed`, async () => {
      const client = documentClient(CLAUDE_CODE_DOCUMENT, redirectUri);
      const { tokens } = await connectAndRefresh(server, client, {
        scope: await claudeCodeScope(server),
        resource: `${server.resource}/`,
      });
      await refreshAndRevokeReplaced(server, client, tokens);
    });
  }
});
