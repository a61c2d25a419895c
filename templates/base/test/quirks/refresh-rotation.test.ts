import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/oauth/crypto.js';
import { callTool, whoami } from '../helpers/mcp.js';
import { grantTokens, refresh, registerPublicClient } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** A clock the test moves by hand; starts at the real time so cookies and codes look ordinary. */
function testClock() {
  let now = Math.floor(Date.now() / 1000);
  return {
    now: () => now,
    advance(seconds: number) {
      now += seconds;
    },
  };
}

async function isRefreshable(server: TestServer, refreshToken: string): Promise<boolean> {
  const stored = await server.store.findRefreshToken(sha256(refreshToken));
  return stored !== undefined && stored.retiredAt === null;
}

describe('quirk refresh-rotation: every refresh rotates, with a grace window for the previous token', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('issues a new refresh token and a new access token on every refresh', async () => {
    const { client, tokens } = await grantTokens(server);
    const first = await refresh(server.url, client, tokens.refresh_token);
    expect(first.status).toBe(200);
    expect(first.json.refresh_token).toBeTruthy();
    expect(first.json.refresh_token).not.toBe(tokens.refresh_token);
    expect(first.json.access_token).not.toBe(tokens.access_token);
    const second = await refresh(server.url, client, first.json.refresh_token);
    expect(second.status).toBe(200);
    expect(second.json.refresh_token).not.toBe(first.json.refresh_token);
    expect((await whoami(server.url, second.json.access_token)).userId).toBe(server.user.userId);
  });

  it('the replaced refresh token answers with a fresh, working sibling pair until a successor is used', async () => {
    expect(server.config.refreshGraceSeconds).toBe(600);
    const { client, tokens } = await grantTokens(server);
    const rotated = await refresh(server.url, client, tokens.refresh_token);
    expect(rotated.status).toBe(200);
    const again = await refresh(server.url, client, tokens.refresh_token);
    expect(again.status).toBe(200);
    expect(again.json.refresh_token).not.toBe(rotated.json.refresh_token);
    expect(again.json.access_token).not.toBe(rotated.json.access_token);
    await whoami(server.url, again.json.access_token);
    await whoami(server.url, rotated.json.access_token);

    // The sibling handed out in the grace window rotates like any other; its first use confirms it
    // reached the client and retires the replaced token and the other sibling.
    const next = await refresh(server.url, client, again.json.refresh_token);
    expect(next.status).toBe(200);
    expect(await isRefreshable(server, tokens.refresh_token)).toBe(false);
    expect(await isRefreshable(server, rotated.json.refresh_token)).toBe(false);
    // A refresh never revokes still-valid access tokens: the retired sibling's one works until it expires.
    await whoami(server.url, rotated.json.access_token);
    await whoami(server.url, next.json.access_token);

    // After that first use, the replaced token is a retired one: reuse, and the grant is revoked.
    const late = await refresh(server.url, client, tokens.refresh_token);
    expect(late.status).toBe(400);
    expect(late.json.error).toBe('invalid_grant');
    expect((await callTool(server.url, next.json.access_token, 'whoami')).status).toBe(401);
  });

  it('50 concurrent refreshes with one token all get a usable pair; the one the client keeps goes on, the others retire', async () => {
    const { client, tokens } = await grantTokens(server);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => refresh(server.url, client, tokens.refresh_token)),
    );
    expect(results.map((result) => result.status)).toEqual(Array(50).fill(200));
    const pairs = results.map((result) => result.json);
    expect(new Set(pairs.map((pair) => pair.access_token)).size).toBe(50);
    expect(new Set(pairs.map((pair) => pair.refresh_token)).size).toBe(50);
    const identities = await Promise.all(
      pairs.map((pair) => whoami(server.url, pair.access_token)),
    );
    for (const identity of identities) expect(identity.userId).toBe(server.user.userId);

    // The client keeps one answer (whichever: here the 37th) and refreshes with it.
    const kept = pairs[36]!;
    const next = await refresh(server.url, client, kept.refresh_token);
    expect(next.status).toBe(200);
    const others = pairs.filter((pair) => pair !== kept);
    const refreshable = await Promise.all(
      others.map((pair) => isRefreshable(server, pair.refresh_token)),
    );
    expect(refreshable).toEqual(Array(49).fill(false));
    const after = await refresh(server.url, client, next.json.refresh_token);
    expect(after.status).toBe(200);
    expect((await whoami(server.url, after.json.access_token)).userId).toBe(server.user.userId);
    // The other answers' access tokens keep working until they expire.
    await whoami(server.url, others[0]!.access_token);
  });

  it('after 50 siblings, presenting one the client did not keep is reuse and ends the grant', async () => {
    const { client, tokens } = await grantTokens(server);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => refresh(server.url, client, tokens.refresh_token)),
    );
    const [kept, dropped] = [results[3]!.json, results[41]!.json];
    expect((await refresh(server.url, client, kept.refresh_token)).status).toBe(200);

    const reused = await refresh(server.url, client, dropped.refresh_token);
    expect(reused.status).toBe(400);
    expect(reused.json.error).toBe('invalid_grant');
    expect((await callTool(server.url, kept.access_token, 'whoami')).status).toBe(401);
  });

  it('an unknown refresh token is invalid_grant', async () => {
    const client = await registerPublicClient(server.url);
    const result = await refresh(server.url, client, 'not-a-refresh-token');
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_grant');
  });

  it('a refresh token is bound to its client: another client gets invalid_grant', async () => {
    const { tokens } = await grantTokens(server);
    const other = await registerPublicClient(server.url);
    const result = await refresh(server.url, other, tokens.refresh_token);
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_grant');
  });
});

describe('quirk refresh-rotation: reuse after the grace window revokes the whole grant (REFRESH_GRACE_SECONDS=0)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ REFRESH_GRACE_SECONDS: '0' });
  });
  afterAll(() => server.close());

  it('answers invalid_grant to a rotated token and revokes every token of the grant', async () => {
    const { client, tokens } = await grantTokens(server);
    const rotated = await refresh(server.url, client, tokens.refresh_token);
    expect(rotated.status).toBe(200);
    await whoami(server.url, rotated.json.access_token);

    const reused = await refresh(server.url, client, tokens.refresh_token);
    expect(reused.status).toBe(400);
    expect(reused.json.error).toBe('invalid_grant');

    const call = await callTool(server.url, rotated.json.access_token, 'whoami');
    expect(call.status).toBe(401);
    const newest = await refresh(server.url, client, rotated.json.refresh_token);
    expect(newest.status).toBe(400);
    expect(newest.json.error).toBe('invalid_grant');
  });

  it('leaves other grants of the same user alone', async () => {
    const victim = await grantTokens(server);
    const bystander = await grantTokens(server);
    await refresh(server.url, victim.client, victim.tokens.refresh_token);
    await refresh(server.url, victim.client, victim.tokens.refresh_token);
    await whoami(server.url, bystander.tokens.access_token);
  });
});

describe('quirk refresh-rotation: the grace window ends REFRESH_GRACE_SECONDS after the rotation', () => {
  let server: TestServer;
  const clock = testClock();

  beforeAll(async () => {
    server = await startTestServer({ REFRESH_GRACE_SECONDS: '300' }, { now: clock.now });
  });
  afterAll(() => server.close());

  it('accepts the previous token inside the window, refuses it and revokes the grant once the window is over', async () => {
    const { client, tokens } = await grantTokens(server);
    const rotated = await refresh(server.url, client, tokens.refresh_token);
    expect(rotated.status).toBe(200);
    clock.advance(299);
    const inGrace = await refresh(server.url, client, tokens.refresh_token);
    expect(inGrace.status).toBe(200);

    clock.advance(1);

    const late = await refresh(server.url, client, tokens.refresh_token);
    expect(late.status).toBe(400);
    expect(late.json.error).toBe('invalid_grant');
    expect((await callTool(server.url, inGrace.json.access_token, 'whoami')).status).toBe(401);
    expect((await refresh(server.url, client, inGrace.json.refresh_token)).json.error).toBe(
      'invalid_grant',
    );
  });

  it('a later sibling does not extend the window: it is counted from the first rotation', async () => {
    const { client, tokens } = await grantTokens(server);
    expect((await refresh(server.url, client, tokens.refresh_token)).status).toBe(200);
    clock.advance(200);
    expect((await refresh(server.url, client, tokens.refresh_token)).status).toBe(200);
    clock.advance(100);
    expect((await refresh(server.url, client, tokens.refresh_token)).json.error).toBe(
      'invalid_grant',
    );
  });
});

describe('quirk refresh-rotation: a copied old refresh token cannot keep a chain of its own', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("a thief's sibling from inside the grace window dies when the real client uses its own successor", async () => {
    const { client, tokens } = await grantTokens(server);
    const stolen = tokens.refresh_token;
    const legitimate = await refresh(server.url, client, tokens.refresh_token);
    const thief = await refresh(server.url, client, stolen);
    expect(thief.status).toBe(200);

    const next = await refresh(server.url, client, legitimate.json.refresh_token);
    expect(next.status).toBe(200);

    const thiefRefresh = await refresh(server.url, client, thief.json.refresh_token);
    expect(thiefRefresh.status).toBe(400);
    expect(thiefRefresh.json.error).toBe('invalid_grant');
    // The retired token came back: reuse detection ends the grant (RFC 9700 §4.14.2).
    expect((await refresh(server.url, client, next.json.refresh_token)).json.error).toBe(
      'invalid_grant',
    );
  });

  it('when the thief uses its sibling first, the real client presents a retired token and the whole grant ends', async () => {
    const { client, tokens } = await grantTokens(server);
    const legitimate = await refresh(server.url, client, tokens.refresh_token);
    const thief = await refresh(server.url, client, tokens.refresh_token);
    const thiefNext = await refresh(server.url, client, thief.json.refresh_token);
    expect(thiefNext.status).toBe(200);

    const real = await refresh(server.url, client, legitimate.json.refresh_token);
    expect(real.status).toBe(400);
    expect(real.json.error).toBe('invalid_grant');

    expect((await callTool(server.url, thiefNext.json.access_token, 'whoami')).status).toBe(401);
    expect((await refresh(server.url, client, thiefNext.json.refresh_token)).json.error).toBe(
      'invalid_grant',
    );
  });

  it('once the real client has used its successor, the old token gets nothing even inside the window', async () => {
    const { client, tokens } = await grantTokens(server);
    const legitimate = await refresh(server.url, client, tokens.refresh_token);
    const next = await refresh(server.url, client, legitimate.json.refresh_token);
    expect(next.status).toBe(200);

    const thief = await refresh(server.url, client, tokens.refresh_token);
    expect(thief.status).toBe(400);
    expect(thief.json.error).toBe('invalid_grant');
  });
});

describe('quirk refresh-rotation: the grant lives REFRESH_TOKEN_TTL from consent, and rotation never extends it', () => {
  let server: TestServer;
  const clock = testClock();

  beforeAll(async () => {
    server = await startTestServer({ REFRESH_TOKEN_TTL: '86400' }, { now: clock.now });
  });
  afterAll(() => server.close());

  it('every rotated refresh token expires when the first one does, and after that the grant is over', async () => {
    const consentedAt = clock.now();
    const { client, tokens } = await grantTokens(server);
    const first = await server.store.findRefreshToken(sha256(tokens.refresh_token));
    expect(first?.expiresAt).toBe(consentedAt + 86400);

    let latest = tokens.refresh_token;
    for (const step of [3600, 40000, 40000]) {
      clock.advance(step);
      const rotated = await refresh(server.url, client, latest);
      expect(rotated.status).toBe(200);
      latest = rotated.json.refresh_token;
      const stored = await server.store.findRefreshToken(sha256(latest));
      expect(stored?.expiresAt).toBe(consentedAt + 86400);
    }

    clock.advance(86400 - 83600);
    const expired = await refresh(server.url, client, latest);
    expect(expired.status).toBe(400);
    expect(expired.json.error).toBe('invalid_grant');
  });
});
