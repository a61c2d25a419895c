import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, SCOPES } from '../../src/oauth/scopes.js';
import { whoami } from '../helpers/mcp.js';
import { grantTokens, refresh, registerPublicClient } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { insertGrant } from '../helpers/tokens.js';

const ALL_SCOPES = SCOPES.map((scope) => scope.name);

describe('flow rule refresh-scope: a refresh may narrow the scope of its access token, never widen the grant', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('without scope, the refresh keeps the granted scopes', async () => {
    const { client, tokens } = await grantTokens(server, { scope: ALL_SCOPES.join(' ') });
    const refreshed = await refresh(server.url, client, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.scope.split(' ').sort()).toEqual(tokens.scope.split(' ').sort());
  });

  it('narrows to the baseline when asked', async () => {
    const { client, tokens } = await grantTokens(server, { scope: ALL_SCOPES.join(' ') });
    const refreshed = await refresh(server.url, client, tokens.refresh_token, {
      scope: BASELINE_SCOPE,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.scope).toBe(BASELINE_SCOPE);
    expect((await whoami(server.url, refreshed.json.access_token)).scopes).toEqual([
      BASELINE_SCOPE,
    ]);
  });

  it('narrowing narrows only the new access token: the refresh token keeps the grant, and a later refresh asks for all of it again', async () => {
    const { client, tokens } = await grantTokens(server, { scope: ALL_SCOPES.join(' ') });
    const granted = tokens.scope.split(' ').sort();
    const narrowed = await refresh(server.url, client, tokens.refresh_token, {
      scope: BASELINE_SCOPE,
    });
    expect(narrowed.json.scope).toBe(BASELINE_SCOPE);

    const widenedAgain = await refresh(server.url, client, narrowed.json.refresh_token, {
      scope: granted.join(' '),
    });
    expect(widenedAgain.status).toBe(200);
    expect(widenedAgain.json.scope.split(' ').sort()).toEqual(granted);
    const full = await refresh(server.url, client, widenedAgain.json.refresh_token);
    expect(full.json.scope.split(' ').sort()).toEqual(granted);
    expect((await whoami(server.url, full.json.access_token)).scopes.sort()).toEqual(granted);
  });

  it('refuses a scope that was not granted with 400 invalid_scope', async () => {
    const client = await registerPublicClient(server.url);
    const { refreshToken } = await insertGrant(server, { scopes: [], clientId: client.client_id });
    const widened = await refresh(server.url, client, refreshToken, { scope: BASELINE_SCOPE });
    expect(widened.status).toBe(400);
    expect(widened.json.error).toBe('invalid_scope');
  });

  it('refuses to widen a baseline-only grant to every scope', async () => {
    const { client, tokens } = await grantTokens(server, { consent: { scopes: [BASELINE_SCOPE] } });
    const granted = tokens.scope.split(' ');
    const widened = await refresh(server.url, client, tokens.refresh_token, {
      scope: [...granted, ...ALL_SCOPES, 'admin'].join(' '),
    });
    expect(widened.status).toBe(400);
    expect(widened.json.error).toBe('invalid_scope');
  });

  it('a refused widening leaves the refresh token usable', async () => {
    const { client, tokens } = await grantTokens(server, { consent: { scopes: [BASELINE_SCOPE] } });
    await refresh(server.url, client, tokens.refresh_token, { scope: `${BASELINE_SCOPE} admin` });
    const again = await refresh(server.url, client, tokens.refresh_token);
    expect(again.status).toBe(200);
  });
});
