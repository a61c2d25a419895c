import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../src/oauth/public-address.js';
import type { Store } from '../../src/storage/store.js';
import { authorizeParams, authorizeUrl, exchangeCode, publicClient } from '../helpers/oauth.js';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

/** A loopback listener that only counts the connections that reach it. */
interface Trap {
  port: number;
  connections: number;
  close(): Promise<void>;
}

async function startTrap(): Promise<Trap> {
  const sockets = new Set<Socket>();
  const trap = { port: 0, connections: 0 } as Trap;
  const server: Server = createServer((socket) => {
    trap.connections += 1;
    sockets.add(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  trap.port = (server.address() as AddressInfo).port;
  trap.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return trap;
}

/** What the error page says to the user: its lead paragraph. */
async function pageMessage(response: Response): Promise<string> {
  const html = await response.text();
  return /<p class="lead">([^<]*)<\/p>/.exec(html)?.[1] ?? html;
}

async function authorize(server: TestServer, clientId: string): Promise<Response> {
  return fetch(authorizeUrl(server.url, authorizeParams(clientId, REDIRECT)), {
    redirect: 'manual',
  });
}

const NAMES: Record<string, string[]> = {
  'loopback.attacker.test': ['127.0.0.1'],
  'mixed.attacker.test': ['93.184.215.14', '127.0.0.1'],
  'metadata.attacker.test': ['169.254.169.254'],
};

describe('rule cimd-ssrf: no connection to a private address, in any spelling', () => {
  let trap: Trap;
  let server: TestServer;
  const lookups: string[] = [];

  beforeAll(async () => {
    trap = await startTrap();
    server = await startTestServer(
      {},
      {
        resolveHost: async (hostname) => {
          lookups.push(hostname);
          const addresses = NAMES[hostname];
          if (!addresses)
            throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
              code: 'ENOTFOUND',
            });
          return addresses;
        },
      },
    );
  });
  afterAll(async () => {
    await server.close();
    await trap.close();
  });

  const literalSpellings = (port: number) => [
    `https://[::ffff:7f00:1]:${port}/client.json`,
    `https://[::ffff:127.0.0.1]:${port}/client.json`,
    `https://127.1:${port}/client.json`,
    `https://2130706433:${port}/client.json`,
    `https://0x7f000001:${port}/client.json`,
    `https://0177.0.0.1:${port}/client.json`,
    `https://[::1]:${port}/client.json`,
    `https://[fd00::1]:${port}/client.json`,
  ];

  it('rule cimd-ssrf: loopback and private IP literals are refused before any connection', async () => {
    for (const clientId of literalSpellings(trap.port)) {
      const response = await authorize(server, clientId);
      expect(response.status, clientId).toBe(400);
      expect(response.headers.get('location'), clientId).toBeNull();
    }
    expect(trap.connections).toBe(0);
    expect(lookups).toEqual([]);
  });

  it('rule cimd-ssrf: a name the resolver maps to loopback is refused at connect time', async () => {
    const response = await authorize(
      server,
      `https://loopback.attacker.test:${trap.port}/client.json`,
    );
    expect(response.status).toBe(400);
    expect(trap.connections).toBe(0);
    expect(lookups).toContain('loopback.attacker.test');
  });

  it('rule cimd-ssrf: an answer with a public and then a private address is refused whole', async () => {
    const response = await authorize(
      server,
      `https://mixed.attacker.test:${trap.port}/client.json`,
    );
    expect(response.status).toBe(400);
    expect(trap.connections).toBe(0);
  });

  it('rule cimd-ssrf: the token endpoint refuses a private document as invalid_client without connecting', async () => {
    const clientId = `https://loopback.attacker.test:${trap.port}/client.json`;
    const result = await exchangeCode(server.url, publicClient(clientId, [REDIRECT]), {
      code: 'unused',
      verifier: 'unused',
      redirectUri: REDIRECT,
    });
    expect(result.status).toBe(401);
    expect(result.json.error).toBe('invalid_client');
    expect(trap.connections).toBe(0);
  });

  it('rule cimd-ssrf: a name that does not resolve and a private address read the same', async () => {
    const unresolved = await pageMessage(
      await authorize(server, 'https://nowhere.attacker.test/client.json'),
    );
    const privateName = await pageMessage(
      await authorize(server, 'https://metadata.attacker.test/client.json'),
    );
    const privateLiteral = await pageMessage(
      await authorize(server, 'https://10.0.0.8/client.json'),
    );
    expect(unresolved).toContain('could not be fetched');
    expect(privateName).toBe(unresolved);
    expect(privateLiteral).toBe(unresolved);
    expect(unresolved).not.toMatch(/resolve|private|loopback|ENOTFOUND|refused/i);
  });

  it('rule cimd-ssrf: the address classifier knows every special-purpose block in every spelling', () => {
    for (const address of [
      '127.0.0.1',
      '0.0.0.0',
      '10.1.2.3',
      '100.64.0.1',
      '169.254.169.254',
      '172.16.0.1',
      '192.0.0.8',
      '192.0.2.1',
      '192.168.1.1',
      '198.18.0.1',
      '198.51.100.1',
      '203.0.113.1',
      '224.0.0.1',
      '240.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:7f00:1',
      '::ffff:127.0.0.1',
      '::ffff:a00:1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::1',
      '2001::1',
      '2001:db8::1',
      'fc00::1',
      'fd00::1',
      'fe80::1',
      'fec0::1',
      'ff02::1',
      '100::1',
      'not-an-ip',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of [
      '93.184.215.14',
      '8.8.8.8',
      '2606:4700:4700::1111',
      '2a00:1450:4001::200e',
    ]) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });
});

describe('rule cimd-ssrf: the connection goes to the address that was checked (DNS rebinding)', () => {
  let trap: Trap;
  let server: TestServer;
  const lookups: string[] = [];

  beforeAll(async () => {
    trap = await startTrap();
    // The first answer is public (an example.com address: this machine cannot reach it, nor does the test
    // need it to), every later one is loopback, and the system resolver says loopback for "localhost" too.
    // A guard that checks one resolution and connects with another reaches the trap.
    server = await startTestServer(
      {},
      {
        resolveHost: async (hostname) => {
          lookups.push(hostname);
          return lookups.length === 1 ? ['93.184.215.14'] : ['127.0.0.1'];
        },
      },
    );
  });
  afterAll(async () => {
    await server.close();
    await trap.close();
  });

  it('rule cimd-ssrf: a name that answers public, then loopback, is resolved once and never reaches loopback', async () => {
    const response = await authorize(server, `https://localhost:${trap.port}/client.json`);
    expect(response.status).toBe(400);
    expect(trap.connections).toBe(0);
    expect(lookups).toEqual(['localhost']);
  }, 20_000);
});

describe('rule cimd-ssrf: a closed port reads like any other failure', () => {
  it('rule cimd-ssrf: the same message for a closed port (test-only switch on) as for a private address', async () => {
    const open = await startTestServer({ CIMD_ALLOW_PRIVATE_ADDRESSES: 'true' });
    const guarded = await startTestServer();
    try {
      const closedPort = await freePort();
      const closed = await pageMessage(
        await authorize(open, `http://127.0.0.1:${closedPort}/client.json`),
      );
      const refused = await pageMessage(await authorize(guarded, 'https://10.0.0.8/client.json'));
      expect(closed).toBe(refused);
    } finally {
      await open.close();
      await guarded.close();
    }
  });
});

/** A document host that holds its answers until the test releases them. */
async function startHeldDocumentHost(): Promise<{
  base: string;
  hits: () => number;
  release(): void;
  close(): Promise<void>;
}> {
  let hits = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let base = '';
  const server: HttpServer = createHttpServer((request, response) => {
    hits += 1;
    void released.then(() => {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(
        JSON.stringify({
          client_id: `${base}${request.url}`,
          client_name: 'Held',
          redirect_uris: [REDIRECT],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    hits: () => hits,
    release,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('rule cimd-ssrf: fetches are shared and limited per host (loopback allowed by the test-only switch)', () => {
  it('rule cimd-ssrf: concurrent requests naming one document share one fetch', async () => {
    const host = await startHeldDocumentHost();
    let lookupsStarted = 0;
    let allStarted!: () => void;
    const started = new Promise<void>((resolve) => (allStarted = resolve));
    const server = await startTestServer(
      { CIMD_ALLOW_PRIVATE_ADDRESSES: 'true' },
      {
        wrapStore: (store: Store): Store =>
          new Proxy(store, {
            get(target, property) {
              if (property === 'getCachedClientMetadata') {
                return async (url: string, now: number) => {
                  const cached = await target.getCachedClientMetadata(url, now);
                  lookupsStarted += 1;
                  if (lookupsStarted === 5) allStarted();
                  return cached;
                };
              }
              const value = Reflect.get(target, property) as unknown;
              return typeof value === 'function' ? value.bind(target) : value;
            },
          }),
      },
    );
    try {
      const clientId = `${host.base}/clients/shared.json`;
      const answers = Promise.all(Array.from({ length: 5 }, () => authorize(server, clientId)));
      await started;
      await new Promise((resolve) => setTimeout(resolve, 50));
      host.release();
      const statuses = (await answers).map((response) => response.status);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      expect(host.hits()).toBe(1);
    } finally {
      await server.close();
      await host.close();
    }
  });

  it('rule cimd-ssrf: fetches from one host beyond RATE_LIMIT_CIMD_FETCH a minute are refused', async () => {
    const host = await startHeldDocumentHost();
    host.release();
    // A fixed clock keeps all three fetches in one rate-limit window.
    const server = await startTestServer(
      { CIMD_ALLOW_PRIVATE_ADDRESSES: 'true', RATE_LIMIT_CIMD_FETCH: '2' },
      { now: () => 1_700_000_000 },
    );
    try {
      const clientId = `${host.base}/clients/limited.json`;
      expect((await authorize(server, clientId)).status).toBe(200);
      expect((await authorize(server, clientId)).status).toBe(200);
      const limited = await authorize(server, clientId);
      expect(limited.status).toBe(400);
      expect(await pageMessage(limited)).toContain('could not be fetched');
      expect(host.hits()).toBe(2);
    } finally {
      await server.close();
      await host.close();
    }
  });
});
