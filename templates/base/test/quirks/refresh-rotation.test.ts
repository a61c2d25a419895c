import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, whoami } from '../helpers/mcp.js';
import {
  grantTokens,
  refresh,
  registerPublicClient,
  type TokenResponse,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

  it('the previous refresh token still answers with a fresh, working pair inside the grace window (default 120 s)', async () => {
    const { client, tokens } = await grantTokens(server);
    const rotated = await refresh(server.url, client, tokens.refresh_token);
    expect(rotated.status).toBe(200);
    const again = await refresh(server.url, client, tokens.refresh_token);
    expect(again.status).toBe(200);
    expect(again.json.refresh_token).not.toBe(rotated.json.refresh_token);
    expect(again.json.access_token).not.toBe(rotated.json.access_token);
    await whoami(server.url, again.json.access_token);
    await whoami(server.url, rotated.json.access_token);
    // The pair handed out in the grace window rotates like any other.
    expect((await refresh(server.url, client, again.json.refresh_token)).status).toBe(200);
  });

  it('50 concurrent refreshes with one token all get a usable pair', async () => {
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
    const nextRefreshes = await Promise.all(
      pairs.map((pair) => refresh(server.url, client, pair.refresh_token)),
    );
    expect(nextRefreshes.map((result) => result.status)).toEqual(Array(50).fill(200));
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

describe('quirk refresh-rotation: the grace window ends (REFRESH_GRACE_SECONDS=2)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ REFRESH_GRACE_SECONDS: '2' });
  });
  afterAll(() => server.close());

  it('accepts the previous token right away, refuses it and revokes the grant once the window is over', async () => {
    const { client, tokens } = await grantTokens(server);
    const rotated = await refresh(server.url, client, tokens.refresh_token);
    expect(rotated.status).toBe(200);
    const inGrace = await refresh(server.url, client, tokens.refresh_token);
    expect(inGrace.status).toBe(200);
    const latest: TokenResponse = inGrace.json;

    await sleep(3100);

    const late = await refresh(server.url, client, tokens.refresh_token);
    expect(late.status).toBe(400);
    expect(late.json.error).toBe('invalid_grant');
    expect((await callTool(server.url, latest.access_token, 'whoami')).status).toBe(401);
    expect((await refresh(server.url, client, latest.refresh_token)).json.error).toBe(
      'invalid_grant',
    );
  });
});
