import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, OFFLINE_ACCESS, SCOPES } from '../../src/oauth/scopes.js';
import {
  CLAUDE_AI_DOCUMENT,
  CLAUDE_AI_REGISTRATION,
  CLAUDE_CALLBACKS,
  connectAndRefresh,
  documentClient,
  startProfileServer,
  type ProfileServer,
} from '../helpers/client-profiles.js';
import { whoami } from '../helpers/mcp.js';
import {
  authorizeCode,
  authorizeParams,
  exchangeCode,
  getJson,
  refresh,
  registerClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** claude.ai sends the resource twice and adds scopes of its own (quirks resource-forms, scopes-discoverable). */
function claudeScope(): string {
  return `${BASELINE_SCOPE} claudeai ${OFFLINE_ACCESS}`;
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
    const metadata = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    expect(metadata.status).toBe(200);
    expect(metadata.json.token_endpoint_auth_methods_supported).toContain('client_secret_post');
  });

  it('registers as Claude twice within 2 s and gets two separate confidential clients', async () => {
    const first = await registerClient(server.url, CLAUDE_AI_REGISTRATION);
    const second = await registerClient(server.url, CLAUDE_AI_REGISTRATION);
    client = first;
    for (const registered of [first, second]) {
      expect(registered.token_endpoint_auth_method).toBe('client_secret_post');
      expect(registered.client_secret).toEqual(expect.any(String));
      expect(registered.redirect_uris).toEqual([...CLAUDE_CALLBACKS]);
    }
    expect(second.client_id).not.toBe(first.client_id);
    // Each registration completes a connection of its own, with its own secret.
    await connectAndRefresh(server, first, { redirectUri: CLAUDE_CALLBACKS[0] });
    await connectAndRefresh(server, second, { redirectUri: CLAUDE_CALLBACKS[1] });
    const crossed = await refresh(
      server.url,
      { ...second, client_secret: first.client_secret },
      'any-refresh-token',
    );
    expect(crossed.status).toBe(401);
  });

  for (const callback of CLAUDE_CALLBACKS) {
    it(`completes the flow through ${callback} with repeated resource, a made-up scope and offline_access`, async () => {
      const resource = [server.resource, server.resource];
      const code = await authorizeCode(sharedBrowser(server), client, {
        redirectUri: callback,
        scope: claudeScope(),
        resource,
      });
      expect(`${code.location.origin}${code.location.pathname}`).toBe(callback);
      expect(code.location.searchParams.has('iss')).toBe(false);
      // claude.ai's backend exchanges the code: no browser, no Origin, no cookies.
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
  }

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
  let server: ProfileServer;

  beforeAll(async () => {
    server = await startProfileServer([CLAUDE_AI_DOCUMENT]);
  });
  afterAll(() => server.close());

  for (const callback of CLAUDE_CALLBACKS) {
    it(`completes the flow through ${callback} with the document URL as client_id and no registration`, async () => {
      const client = documentClient(CLAUDE_AI_DOCUMENT, callback);
      const resource = [server.resource, server.resource];
      const { tokens } = await connectAndRefresh(server, client, {
        scope: claudeScope(),
        resource,
      });
      expect(tokens.scope.split(' ')).toContain(BASELINE_SCOPE);
    });
  }

  it('the consent page names Claude and claude.ai', async () => {
    const page = await sharedBrowser(server).openConsent(
      authorizeParams(CLAUDE_AI_DOCUMENT.client_id, CLAUDE_CALLBACKS[0]),
    );
    expect(page.html).toContain('Claude');
    expect(page.html).toContain('claude.ai');
    expect(server.documents.hits(CLAUDE_AI_DOCUMENT.client_id)).toBeGreaterThan(0);
  });
});
