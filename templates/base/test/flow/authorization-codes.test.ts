import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken, sha256 } from '../../src/oauth/crypto.js';
import { BASELINE_SCOPE } from '../../src/oauth/scopes.js';
import { callTool, whoami } from '../helpers/mcp.js';
import {
  authorizeCode,
  exchangeCode,
  pkcePair,
  refresh,
  registerPublicClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';
const OTHER_REDIRECT = 'https://app.example.com/other-callback';

describe('flow rule authorization-codes: random, single use, short-lived and bound to the request', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, [REDIRECT, OTHER_REDIRECT]);
  });
  afterAll(() => server.close());

  it('has at least 256 bits of randomness (43+ base64url characters) and is never repeated', async () => {
    const browser = sharedBrowser(server);
    // Signed in first: three first visits at once would each set a CSRF cookie, and only one can stay.
    const first = await authorizeCode(browser, client);
    const codes = [first, ...(await Promise.all([1, 2].map(() => authorizeCode(browser, client))))];
    for (const { code } of codes) expect(code).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(new Set(codes.map(({ code }) => code)).size).toBe(3);
  });

  it('lives at most 10 minutes', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { code } = await authorizeCode(sharedBrowser(server), client);
    const after = Math.floor(Date.now() / 1000);
    const consumed = await server.store.consumeCode(sha256(code));
    expect(consumed.status).toBe('consumed');
    if (consumed.status !== 'consumed') return;
    // Issued somewhere between `before` and `after`, for at most 600 seconds.
    expect(consumed.code.expiresAt).toBeLessThanOrEqual(after + 600);
    expect(consumed.code.expiresAt).toBeGreaterThan(before);
  });

  it('is single use: the second redemption is invalid_grant', async () => {
    const code = await authorizeCode(sharedBrowser(server), client);
    expect((await exchangeCode(server.url, client, code)).status).toBe(200);
    const replay = await exchangeCode(server.url, client, code);
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
  });

  it('a replayed code revokes every token issued from it', async () => {
    const code = await authorizeCode(sharedBrowser(server), client);
    const first = await exchangeCode(server.url, client, code);
    await whoami(server.url, first.json.access_token);
    const refreshed = await refresh(server.url, client, first.json.refresh_token);
    expect(refreshed.status).toBe(200);

    expect((await exchangeCode(server.url, client, code)).json.error).toBe('invalid_grant');

    expect((await callTool(server.url, first.json.access_token, 'whoami')).status).toBe(401);
    expect((await callTool(server.url, refreshed.json.access_token, 'whoami')).status).toBe(401);
    expect((await refresh(server.url, client, refreshed.json.refresh_token)).json.error).toBe(
      'invalid_grant',
    );
  });

  it('is bound to its client', async () => {
    const code = await authorizeCode(sharedBrowser(server), client);
    const thief = await registerPublicClient(server.url, [REDIRECT]);
    const result = await exchangeCode(server.url, thief, code);
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_grant');
  });

  it('is bound to its redirect_uri', async () => {
    const code = await authorizeCode(sharedBrowser(server), client, { redirectUri: REDIRECT });
    const result = await exchangeCode(server.url, client, { ...code, redirectUri: OTHER_REDIRECT });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_grant');
  });

  it('is bound to its PKCE challenge', async () => {
    const code = await authorizeCode(sharedBrowser(server), client);
    const result = await exchangeCode(server.url, client, {
      ...code,
      verifier: pkcePair().verifier,
    });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_grant');
  });

  it('checks client, redirect_uri, verifier and resource before consuming: failed attempts do not burn the code', async () => {
    const code = await authorizeCode(sharedBrowser(server), client, { redirectUri: REDIRECT });
    const thief = await registerPublicClient(server.url, [REDIRECT]);
    const failedAttempts = [
      await exchangeCode(server.url, client, { ...code, verifier: pkcePair().verifier }),
      await exchangeCode(server.url, thief, code),
      await exchangeCode(server.url, client, { ...code, redirectUri: OTHER_REDIRECT }),
      await exchangeCode(server.url, client, { ...code, resource: 'https://other.example/mcp' }),
    ];
    expect(failedAttempts.map((result) => result.json.error)).toEqual([
      'invalid_grant',
      'invalid_grant',
      'invalid_grant',
      'invalid_target',
    ]);

    const redeemed = await exchangeCode(server.url, client, code);
    expect(redeemed.status).toBe(200);
    expect((await whoami(server.url, redeemed.json.access_token)).clientId).toBe(client.client_id);
  });

  it('a replay after the real redemption still revokes, whoever presents it', async () => {
    const code = await authorizeCode(sharedBrowser(server), client);
    const redeemed = await exchangeCode(server.url, client, code);
    expect(redeemed.status).toBe(200);

    const replay = await exchangeCode(server.url, client, {
      ...code,
      verifier: pkcePair().verifier,
    });
    expect(replay.json.error).toBe('invalid_grant');
    expect((await callTool(server.url, redeemed.json.access_token, 'whoami')).status).toBe(401);
  });

  it('is bound to the consented scopes and the resource', async () => {
    const code = await authorizeCode(sharedBrowser(server), client, {
      consent: { scopes: [BASELINE_SCOPE] },
    });
    const result = await exchangeCode(server.url, client, code);
    expect(result.json.scope.split(' ')).toContain(BASELINE_SCOPE);
    const identity = await whoami(server.url, result.json.access_token);
    expect(identity.scopes.filter((scope) => scope !== 'offline_access')).toEqual([BASELINE_SCOPE]);
    const stored = await server.store.findAccessToken(
      sha256(result.json.access_token),
      Math.floor(Date.now() / 1000),
    );
    expect(stored?.resource).toBe(server.resource);
  });

  it('an expired code is invalid_grant', async () => {
    const pkce = pkcePair();
    const code = randomToken();
    const now = Math.floor(Date.now() / 1000);
    const grantId = `expired-${randomToken(8)}`;
    const owner = {
      grantId,
      clientId: client.client_id,
      userId: server.user.userId,
      scopes: [BASELINE_SCOPE],
      resource: server.resource,
    };
    await server.store.createGrantWithCode(
      { ...owner, createdAt: now - 700, revokedAt: null },
      {
        ...owner,
        codeHash: sha256(code),
        redirectUri: REDIRECT,
        codeChallenge: pkce.challenge,
        expiresAt: now - 100,
      },
    );
    const result = await exchangeCode(server.url, client, {
      code,
      verifier: pkce.verifier,
      redirectUri: REDIRECT,
    });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_grant');
  });
});
