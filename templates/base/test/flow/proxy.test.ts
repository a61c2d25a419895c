import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChallenge } from '../helpers/headers.js';
import { parseTrustProxy } from '../../src/oauth/client-address.js';
import { postJson } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REGISTRATION = {
  redirect_uris: ['http://127.0.0.1/callback'],
  token_endpoint_auth_method: 'none',
};

/** node:http, because fetch will not send a Host header of our choosing. */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'GET', headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

const LYING_HEADERS = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'https',
  'x-forwarded-port': '8443',
  forwarded: 'host=evil.example;proto=https',
};

async function registerFrom(server: TestServer, forwardedFor: string): Promise<number> {
  return (
    await postJson(`${server.url}/oauth/register`, REGISTRATION, {
      'x-forwarded-for': forwardedFor,
    })
  ).status;
}

for (const trustProxy of ['false', 'true']) {
  describe(`flow rule proxy: PUBLIC_URL never comes from request headers (TRUST_PROXY=${trustProxy})`, () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer({ TRUST_PROXY: trustProxy });
    });
    afterAll(() => server.close());

    it('AS metadata keeps the configured issuer and endpoints when Host and X-Forwarded-* lie', async () => {
      const response = await rawGet(
        `${server.url}/.well-known/oauth-authorization-server`,
        LYING_HEADERS,
      );
      expect(response.status).toBe(200);
      const metadata = JSON.parse(response.body) as Record<string, string>;
      expect(metadata.issuer).toBe(server.issuer);
      expect(metadata.token_endpoint).toBe(`${server.issuer}/oauth/token`);
      expect(response.body).not.toContain('evil.example');
    });

    it('PRM keeps the configured resource and authorization server', async () => {
      const response = await rawGet(
        `${server.url}/.well-known/oauth-protected-resource/mcp`,
        LYING_HEADERS,
      );
      const prm = JSON.parse(response.body) as {
        resource: string;
        authorization_servers: string[];
      };
      expect(prm.resource).toBe(server.resource);
      expect(prm.authorization_servers).toEqual([server.issuer]);
    });

    it('the 401 challenge keeps the configured resource_metadata URL', async () => {
      const response = await rawGet(`${server.url}/mcp`, {
        ...LYING_HEADERS,
        accept: 'text/event-stream',
      });
      expect(response.status).toBe(401);
      const challenge = parseChallenge(String(response.headers['www-authenticate']));
      expect(challenge.params.resource_metadata).toBe(
        `${server.issuer}/.well-known/oauth-protected-resource/mcp`,
      );
    });
  });
}

describe('flow rule proxy: X-Forwarded-For is ignored without TRUST_PROXY', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_REGISTER: '2' });
  });
  afterAll(() => server.close());

  it('a new X-Forwarded-For does not escape the rate limit', async () => {
    const statuses = [];
    for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
      statuses.push(await registerFrom(server, address));
    expect(statuses).toEqual([201, 201, 429]);
  });
});

describe('flow rule proxy: X-Forwarded-For keys the rate limit with TRUST_PROXY=true', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_REGISTER: '2', TRUST_PROXY: 'true' });
  });
  afterAll(() => server.close());

  it('each forwarded client address gets its own limit', async () => {
    const statuses = [];
    for (const address of [
      '203.0.113.1',
      '203.0.113.1',
      '203.0.113.1',
      '203.0.113.2',
      '203.0.113.2',
    ]) {
      statuses.push(await registerFrom(server, address));
    }
    expect(statuses).toEqual([201, 201, 429, 201, 201]);
  });

  it('the address is the entry our proxy appended (right-most), not what the client wrote (left-most)', async () => {
    expect(await registerFrom(server, '10.0.0.1, 198.51.100.7')).toBe(201);
    expect(await registerFrom(server, '10.0.0.2, 198.51.100.7')).toBe(201);
    expect(await registerFrom(server, '10.0.0.3, 198.51.100.7')).toBe(429);
  });
});

describe('flow rule proxy: fake left-most X-Forwarded-For entries behind one trusted hop', () => {
  let server: TestServer;

  beforeAll(async () => {
    // One fixed minute, so all 100 registrations land in one rate-limit window.
    const minute = Math.floor(Date.now() / 1000);
    server = await startTestServer(
      { TRUST_PROXY: '1', RATE_LIMIT_REGISTER: '60' },
      { now: () => minute },
    );
  });
  afterAll(() => server.close());

  it('rule proxy: 100 registrations, each with a new fake client-written address, hit the limit after 60', async () => {
    const statuses = [];
    for (let i = 0; i < 100; i++)
      statuses.push(await registerFrom(server, `192.0.2.${i}, 10.${i}.0.1, 198.51.100.9`));
    expect(statuses.filter((status) => status === 201)).toHaveLength(60);
    expect(statuses.slice(60).every((status) => status === 429)).toBe(true);
  });
});

describe('flow rule proxy: TRUST_PROXY as a hop count', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ TRUST_PROXY: '2', RATE_LIMIT_REGISTER: '2' });
  });
  afterAll(() => server.close());

  it('rule proxy: with 2 hops the client is the second entry from the right', async () => {
    // [what the client wrote, the client as the outer proxy saw it, the outer proxy] + TCP peer
    expect(await registerFrom(server, '1.1.1.1, 198.51.100.20, 10.0.0.1')).toBe(201);
    expect(await registerFrom(server, '2.2.2.2, 198.51.100.20, 10.0.0.2')).toBe(201);
    expect(await registerFrom(server, '3.3.3.3, 198.51.100.20, 10.0.0.3')).toBe(429);
    expect(await registerFrom(server, '3.3.3.3, 198.51.100.21, 10.0.0.3')).toBe(201);
  });
});

describe('flow rule proxy: TRUST_PROXY as a list of proxy CIDRs', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      TRUST_PROXY: '127.0.0.0/8, 10.0.0.0/8, fd00::/8',
      RATE_LIMIT_REGISTER: '2',
    });
  });
  afterAll(() => server.close());

  it('rule proxy: entries inside the trusted ranges are skipped from the right; the first other one is the client', async () => {
    expect(await registerFrom(server, '1.1.1.1, 198.51.100.30, 10.1.2.3')).toBe(201);
    expect(await registerFrom(server, '2.2.2.2, 198.51.100.30, fd00::1, 10.9.9.9')).toBe(201);
    expect(await registerFrom(server, '198.51.100.30')).toBe(429);
    expect(await registerFrom(server, '198.51.100.30, 198.51.100.31')).toBe(201);
  });
});

describe('flow rule proxy: a TCP peer outside the trusted CIDRs is the client itself', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ TRUST_PROXY: '10.0.0.0/8', RATE_LIMIT_REGISTER: '2' });
  });
  afterAll(() => server.close());

  it('rule proxy: X-Forwarded-For from an untrusted peer (127.0.0.1) is ignored', async () => {
    expect(await registerFrom(server, '198.51.100.40')).toBe(201);
    expect(await registerFrom(server, '198.51.100.41')).toBe(201);
    expect(await registerFrom(server, '198.51.100.42')).toBe(429);
  });
});

describe('flow rule proxy: IPv6 addresses count per /64', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ TRUST_PROXY: '1', RATE_LIMIT_REGISTER: '2' });
  });
  afterAll(() => server.close());

  it('rule proxy: two addresses in one /64 share a limit; the next /64 has its own', async () => {
    expect(await registerFrom(server, '2001:db8:1:2::1')).toBe(201);
    expect(await registerFrom(server, '2001:db8:1:2:ffff:ffff:ffff:fffe')).toBe(201);
    expect(await registerFrom(server, '2001:0db8:0001:0002:0:0:0:abcd')).toBe(429);
    expect(await registerFrom(server, '2001:db8:1:3::1')).toBe(201);
  });

  it('rule proxy: an IPv4-mapped IPv6 address counts as the IPv4 address', async () => {
    expect(await registerFrom(server, '203.0.113.50')).toBe(201);
    expect(await registerFrom(server, '::ffff:203.0.113.50')).toBe(201);
    expect(await registerFrom(server, '::ffff:cb00:7132')).toBe(429);
  });
});

describe('flow rule proxy: TRUST_PROXY values', () => {
  it('rule proxy: true is one hop, false and 0 trust nobody, a list is CIDRs', () => {
    expect(parseTrustProxy('true')).toEqual({ kind: 'hops', hops: 1 });
    expect(parseTrustProxy('3')).toEqual({ kind: 'hops', hops: 3 });
    expect(parseTrustProxy('false')).toEqual({ kind: 'none' });
    expect(parseTrustProxy('0')).toEqual({ kind: 'none' });
    expect(parseTrustProxy(undefined)).toEqual({ kind: 'none' });
    const list = parseTrustProxy('10.0.0.0/8, 192.0.2.10, fd00::/8');
    expect(list.kind).toBe('proxies');
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(/TRUST_PROXY/);
  });
});
