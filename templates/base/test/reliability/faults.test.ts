import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startHttpServer } from '../../src/http/index.js';
import { createStore } from '../../src/storage/index.js';
import type { Store } from '../../src/storage/store.js';
import { createAccount } from '../../src/users/accounts.js';
import { whoami } from '../helpers/mcp.js';
import {
  Browser,
  authorizeCode,
  exchangeCode,
  grantTokens,
  obtainTokens,
  refresh,
  registerPublicClient,
} from '../helpers/oauth.js';
import {
  TEST_ACCOUNT,
  TEST_SESSION_SECRET,
  freePort,
  startTestServer,
  type TestServer,
} from '../helpers/server.js';
import { STORAGE_NAME, describeOrSkip, dropStorage, storageEnv } from '../helpers/storage-env.js';

/** A store whose `method` throws the first time it is called, and behaves normally after. */
function failingOnce(method: keyof Store) {
  const state = { failures: 0 };
  const wrap = (store: Store): Store =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== method || typeof value !== 'function') {
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return async (...args: unknown[]) => {
          if (state.failures === 0) {
            state.failures += 1;
            throw new Error(`injected ${String(method)} failure`);
          }
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    });
  return { wrap, state };
}

describe('reliability: the store fails in the middle of a refresh rotation', () => {
  let server: TestServer;
  const fault = failingOnce('rotateRefreshToken');

  beforeAll(async () => {
    server = await startTestServer({}, { wrapStore: fault.wrap });
  });
  afterAll(() => server.close());
  afterEach(() => vi.restoreAllMocks());

  it('answers JSON server_error without a stack, and the old refresh token still works', async () => {
    const { client, tokens } = await grantTokens(server);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});

    const failed = await refresh(server.url, client, tokens.refresh_token);

    expect(fault.state.failures).toBe(1);
    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toContain('application/json');
    expect(failed.json).toEqual({
      error: 'server_error',
      error_description: 'The server could not complete the request',
    });
    expect(failed.text).not.toContain('injected');
    expect(failed.text).not.toMatch(/\n\s+at \S/);
    // The failure is logged for the operator, and the log carries no token.
    expect(logged).toHaveBeenCalled();
    expect(JSON.stringify(logged.mock.calls)).not.toContain(tokens.refresh_token);

    const retried = await refresh(server.url, client, tokens.refresh_token);
    expect(retried.status).toBe(200);
    expect((await whoami(server.url, retried.json.access_token)).userId).toBe(server.user.userId);
    // The access token issued before the failure was never touched.
    expect((await whoami(server.url, tokens.access_token)).userId).toBe(server.user.userId);
  });
});

describe('reliability: the store fails while a code is redeemed', () => {
  let server: TestServer;
  const fault = failingOnce('consumeCode');

  beforeAll(async () => {
    server = await startTestServer({}, { wrapStore: fault.wrap });
  });
  afterAll(() => server.close());
  afterEach(() => vi.restoreAllMocks());

  it('answers JSON server_error, and the untouched code can still be redeemed', async () => {
    const client = await registerPublicClient(server.url);
    const code = await authorizeCode(new Browser(server), client);
    vi.spyOn(console, 'error').mockImplementation(() => {});

    const failed = await exchangeCode(server.url, client, code);
    expect(failed.status).toBe(500);
    expect(failed.json).toMatchObject({ error: 'server_error' });

    const retried = await exchangeCode(server.url, client, code);
    expect(retried.status).toBe(200);
  });
});

interface Instance {
  url: string;
  issuer: string;
  close(): Promise<void>;
}

/**
 * One server instance on the store `dir` names, listening on `port`. A second instance on the same
 * dir and port is the same deployment after a restart: same data, same PUBLIC_URL, same resource.
 */
async function startInstance(dir: string, port: number): Promise<Instance & { store: Store }> {
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SESSION_SECRET: TEST_SESSION_SECRET,
    ...storageEnv(dir),
  });
  const store = createStore(config);
  await store.init();
  const http = await startHttpServer(createApp({ config, store }), { host: '127.0.0.1', port });
  return {
    url: http.url.replace(/\/$/, ''),
    issuer: config.publicUrl,
    store,
    async close() {
      await http.close();
      await store.close();
    },
  };
}

// Widened to string: in each generated project STORAGE_NAME is one literal.
const storageName: string = STORAGE_NAME;
const restartUnavailable =
  storageName === 'memory'
    ? 'a memory store lives and dies with the process, so a restart keeps nothing by design'
    : undefined;

describeOrSkip(
  'reliability: a restart in the middle of a flow keeps everything committed before it',
  restartUnavailable,
  () => {
    let dir: string;
    let port: number;
    let instance: (Instance & { store: Store }) | undefined;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'mcp-oauth-restart-'));
      port = await freePort();
    });
    /** Stops the instance and starts a new one on the same data and port. */
    async function restart(): Promise<Instance & { store: Store }> {
      await instance?.close();
      // Let fetch's connection pool see the closed keep-alive sockets before it picks one to reuse.
      await sleep(50);
      instance = await startInstance(dir, port);
      return instance;
    }

    afterAll(async () => {
      await instance?.close();
      await dropStorage(dir);
      await rm(dir, { recursive: true, force: true });
    });

    it('clients, sessions, codes, tokens and rotations survive a restart', async () => {
      instance = await startInstance(dir, port);
      const user = await createAccount(instance.store, TEST_ACCOUNT.email, TEST_ACCOUNT.password);
      const browser = new Browser(instance);
      const client = await registerPublicClient(instance.url);
      const first = await obtainTokens(browser, client);
      const pendingCode = await authorizeCode(browser, client);

      instance = await restart();

      // The access token, the pending code and the refresh token all still work.
      expect((await whoami(instance.url, first.access_token)).userId).toBe(user.userId);
      const redeemed = await exchangeCode(instance.url, client, pendingCode);
      expect(redeemed.status).toBe(200);
      const rotated = await refresh(instance.url, client, first.refresh_token);
      expect(rotated.status).toBe(200);
      // The browser is still signed in: the consent page comes without a login.
      const again = await authorizeCode(browser, client);
      expect((await exchangeCode(instance.url, client, again)).status).toBe(200);

      instance = await restart();

      // The rotation was committed: the rotated token's successor works, the code stays redeemed.
      expect((await refresh(instance.url, client, rotated.json.refresh_token)).status).toBe(200);
      expect((await exchangeCode(instance.url, client, pendingCode)).json).toMatchObject({
        error: 'invalid_grant',
      });
    });
  },
);
