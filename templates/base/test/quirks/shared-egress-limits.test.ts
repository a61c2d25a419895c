import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postForm,
  refresh,
  register,
  registerClient,
  type HttpResult,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// claude.ai registers twice within 2 s, Goose three times in parallel, and every claude.ai or
// ChatGPT user of a server reaches it from the same few egress addresses: limits keyed only by
// address would lock all of them out together.

/** The environment with the shipped default for these limits (startTestServer raises every limit). */
const DEFAULT_LIMITS = {
  RATE_LIMIT_REGISTER: '',
  RATE_LIMIT_TOKEN: '',
  RATE_LIMIT_TOKEN_PER_ADDRESS: '',
};

/** claude.ai's DCR request, sent the same each time it connects. */
const CLAUDE_REGISTRATION = {
  client_name: 'Claude',
  redirect_uris: [
    'https://claude.ai/api/mcp/auth_callback',
    'https://claude.com/api/mcp/auth_callback',
  ],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
};

/** A refresh with a token the server never issued: the client authenticates, the grant is refused. */
function refreshUnknownToken(server: TestServer, client: RegisteredClient): Promise<HttpResult> {
  return refresh(server.url, client, 'not-a-refresh-token-of-this-server');
}

function expectJsonRateLimited(result: HttpResult): void {
  expect(result.status).toBe(429);
  expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  expect(result.json.error).toEqual(expect.any(String));
  const retryAfter = Number(result.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe('quirk shared-egress-limits: registration bursts from one address are admitted', () => {
  let server: TestServer;

  beforeAll(async () => {
    // One fixed minute, so every request below lands in the same rate-limit window.
    const minute = Math.floor(Date.now() / 1000);
    server = await startTestServer(DEFAULT_LIMITS, { now: () => minute });
  });
  afterAll(() => server.close());

  it('quirk shared-egress-limits: 5 parallel registrations from one address all get 201 and distinct client_ids', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => register(server.url, CLAUDE_REGISTRATION)),
    );
    expect(results.map((result) => result.status)).toEqual([201, 201, 201, 201, 201]);
    const clientIds = new Set(results.map((result) => result.json.client_id));
    expect(clientIds.size).toBe(5);
  });

  it('quirk shared-egress-limits: two registrations with identical metadata get two working clients', async () => {
    const first = await registerClient(server.url, CLAUDE_REGISTRATION);
    const second = await registerClient(server.url, CLAUDE_REGISTRATION);
    expect(second.client_id).not.toBe(first.client_id);
    expect(second.client_secret).not.toBe(first.client_secret);
    for (const client of [first, second]) {
      // invalid_grant, not invalid_client: the server knows both clients and their secrets.
      const result = await refreshUnknownToken(server, client);
      expect(result.status).toBe(400);
      expect(result.json.error).toBe('invalid_grant');
    }
  });

  it('quirk shared-egress-limits: the default register limit admits at least 60 a minute from one address', async () => {
    expect(server.config.rateLimits.register.limit).toBeGreaterThanOrEqual(60);
    // 7 registrations above already used part of this minute's budget.
    const statuses = [];
    for (let i = 0; i < 60 - 7; i++)
      statuses.push((await register(server.url, CLAUDE_REGISTRATION)).status);
    expect(statuses.every((status) => status === 201)).toBe(true);
  });
});

describe('quirk shared-egress-limits: /token is limited per client, under a high per-address ceiling', () => {
  let server: TestServer;
  let first: RegisteredClient;
  let second: RegisteredClient;

  beforeAll(async () => {
    const minute = Math.floor(Date.now() / 1000);
    server = await startTestServer(
      { RATE_LIMIT_TOKEN: '3', RATE_LIMIT_TOKEN_PER_ADDRESS: '8' },
      { now: () => minute },
    );
    first = await registerClient(server.url, CLAUDE_REGISTRATION);
    second = await registerClient(server.url, CLAUDE_REGISTRATION);
  });
  afterAll(() => server.close());

  it('quirk shared-egress-limits: the per-client limit bites at RATE_LIMIT_TOKEN with 429 JSON and Retry-After', async () => {
    for (let i = 0; i < 3; i++) expect((await refreshUnknownToken(server, first)).status).toBe(400);
    expectJsonRateLimited(await refreshUnknownToken(server, first));
  });

  it('quirk shared-egress-limits: a second client behind the same address keeps its own budget', async () => {
    for (let i = 0; i < 3; i++)
      expect((await refreshUnknownToken(server, second)).status).toBe(400);
    expectJsonRateLimited(await refreshUnknownToken(server, second));
  });

  it('quirk shared-egress-limits: past RATE_LIMIT_TOKEN_PER_ADDRESS every request from the address waits', async () => {
    // 8 requests so far from 127.0.0.1: the ceiling is reached, whatever the client.
    const third = await registerClient(server.url, CLAUDE_REGISTRATION);
    expectJsonRateLimited(await refreshUnknownToken(server, third));
    expectJsonRateLimited(
      await postForm(`${server.url}/token`, { grant_type: 'refresh_token', client_id: 'unknown' }),
    );
  });
});

describe('quirk shared-egress-limits: the shipped /token defaults', () => {
  let server: TestServer;

  beforeAll(async () => {
    const minute = Math.floor(Date.now() / 1000);
    server = await startTestServer(DEFAULT_LIMITS, { now: () => minute });
  });
  afterAll(() => server.close());

  it('quirk shared-egress-limits: 120 per client a minute, 2 clients on one address both served, ceiling ≥ 1,200', async () => {
    expect(server.config.rateLimits.token.limit).toBe(120);
    expect(server.config.rateLimits.tokenPerAddress.limit).toBeGreaterThanOrEqual(1200);
    const clients = await Promise.all(
      Array.from({ length: 2 }, () => registerClient(server.url, CLAUDE_REGISTRATION)),
    );
    for (const client of clients) {
      const statuses = await Promise.all(
        Array.from({ length: 120 }, async () => (await refreshUnknownToken(server, client)).status),
      );
      expect(statuses.filter((status) => status !== 400)).toEqual([]);
    }
    expectJsonRateLimited(await refreshUnknownToken(server, clients[0]!));
  });
});
