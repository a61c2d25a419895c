import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChallenge } from '../helpers/headers.js';
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

  it('uses the client end of a forwarded chain', async () => {
    expect(await registerFrom(server, '198.51.100.7, 10.0.0.1')).toBe(201);
    expect(await registerFrom(server, '198.51.100.7, 10.0.0.2')).toBe(201);
    expect(await registerFrom(server, '198.51.100.7, 10.0.0.3')).toBe(429);
  });
});
