import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runMaintenance } from '../../src/storage/maintenance.js';
import {
  Browser,
  authorizeParams,
  authorizeUrl,
  exchangeCode,
  grantTokens,
  refresh,
  registerPublicClient,
  revoke,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { REQUIRED_STORAGE_ENV } from '../helpers/storage-env.js';

const DAY = 24 * 3600;

/** A server whose clock the test moves; refresh tokens outlive every retention period here. */
async function startServerWithClock(env: Record<string, string> = {}) {
  const clock = { now: Math.floor(Date.now() / 1000) };
  const server = await startTestServer(
    { REFRESH_TOKEN_TTL: String(400 * DAY), ...env },
    { now: () => clock.now },
  );
  return {
    server,
    clock,
    /** One pass of the maintenance loop at the server's current time. */
    purge: () => runMaintenance(server.store, server.config, clock.now),
  };
}

/** What the token endpoint says about the client: an exchange of a made-up code. */
async function tokenEndpointAnswer(server: TestServer, client: RegisteredClient) {
  return exchangeCode(server.url, client, {
    code: 'not-a-real-code',
    verifier: 'not-a-real-verifier-'.padEnd(43, 'x'),
    redirectUri: client.redirect_uris[0]!,
  });
}

async function authorizePage(server: TestServer, client: RegisteredClient): Promise<Response> {
  const params = authorizeParams(client.client_id, client.redirect_uris[0]!);
  return fetch(authorizeUrl(server.url, params), { redirect: 'manual' });
}

/** Through /authorize only: the token endpoint would count as a use of the client. */
async function expectStillRegistered(server: TestServer, client: RegisteredClient) {
  expect((await authorizePage(server, client)).status).toBe(200);
}

async function expectPurged(server: TestServer, client: RegisteredClient) {
  const token = await tokenEndpointAnswer(server, client);
  expect(token.status).toBe(401);
  expect(token.json.error).toBe('invalid_client');
  const page = await authorizePage(server, client);
  expect(page.status).toBe(400);
  expect(page.headers.get('location')).toBeNull();
  expect(await page.text()).toContain('connect it again');
}

describe('quirk client-retention: registered clients are kept while in use, purged when nobody uses them', () => {
  let context: Awaited<ReturnType<typeof startServerWithClock>>;

  beforeAll(async () => {
    context = await startServerWithClock();
  });
  afterAll(() => context.server.close());

  it('quirk client-retention: a client never used is kept for 7 days, then purged; /token says 401 invalid_client and /authorize says to connect again', async () => {
    const { server, clock, purge } = context;
    const client = await registerPublicClient(server.url);
    const registeredAt = clock.now;

    clock.now = registeredAt + 7 * DAY - 60;
    await purge();
    await expectStillRegistered(server, client);

    clock.now = registeredAt + 7 * DAY;
    await purge();
    await expectPurged(server, client);
  });

  it('quirk client-retention: a client holding a live grant is never purged, however long ago it was used', async () => {
    const { server, clock, purge } = context;
    const { client, tokens } = await grantTokens(server, { browser: new Browser(server) });

    clock.now += 200 * DAY;
    await purge();

    const refreshed = await refresh(server.url, client, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
  });

  it('quirk client-retention: a used client without a live grant is kept 90 days after its last use, then purged', async () => {
    const { server, clock, purge } = context;
    const { client, tokens } = await grantTokens(server, { browser: new Browser(server) });
    clock.now += 30 * DAY;
    // The last use: a refresh 30 days after registration, then the user disconnects the app.
    const refreshed = await refresh(server.url, client, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect((await revoke(server.url, client, refreshed.json.refresh_token)).status).toBe(200);
    const lastUsedAt = clock.now;

    clock.now = lastUsedAt + 90 * DAY - 60;
    await purge();
    await expectStillRegistered(server, client);

    clock.now = lastUsedAt + 90 * DAY + 3600;
    await purge();
    await expectPurged(server, client);
  });
});

describe('quirk client-retention: CLIENT_RETENTION_DAYS and UNUSED_CLIENT_RETENTION_DAYS', () => {
  let context: Awaited<ReturnType<typeof startServerWithClock>>;

  beforeAll(async () => {
    context = await startServerWithClock({
      CLIENT_RETENTION_DAYS: '3',
      UNUSED_CLIENT_RETENTION_DAYS: '1',
    });
  });
  afterAll(() => context.server.close());

  it('quirk client-retention: both periods are configurable', async () => {
    const { server, clock, purge } = context;
    const unused = await registerPublicClient(server.url);
    const { client: used, tokens } = await grantTokens(server, { browser: new Browser(server) });
    expect((await revoke(server.url, used, tokens.refresh_token)).status).toBe(200);
    const start = clock.now;

    clock.now = start + DAY;
    await purge();
    await expectPurged(server, unused);
    await expectStillRegistered(server, used);

    clock.now = start + 3 * DAY + 3600;
    await purge();
    await expectPurged(server, used);
  });
});

describe('quirk client-retention: configuration', () => {
  it('quirk client-retention: a retention period that is not a whole number of days ≥ 1 stops the server with one clear line', () => {
    const env = { SESSION_SECRET: 'x'.repeat(32), ...REQUIRED_STORAGE_ENV };
    expect(() => loadConfig({ ...env, CLIENT_RETENTION_DAYS: '0' })).toThrow(
      'CLIENT_RETENTION_DAYS must be a whole number ≥ 1, got "0"',
    );
    expect(() => loadConfig({ ...env, UNUSED_CLIENT_RETENTION_DAYS: 'week' })).toThrow(
      'UNUSED_CLIENT_RETENTION_DAYS must be a whole number ≥ 1, got "week"',
    );
    expect(() => loadConfig({ ...env, PURGE_INTERVAL_SECONDS: '-5' })).toThrow(
      'PURGE_INTERVAL_SECONDS must be a whole number ≥ 1',
    );
  });
});
