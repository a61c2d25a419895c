import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startHttpServer } from '../../src/http/index.js';
import type { ResolveHost } from '../../src/oauth/document-fetch.js';
import { createStore } from '../../src/storage/index.js';
import type { Store, User } from '../../src/storage/store.js';
import { createAccount } from '../../src/users/accounts.js';
import { STORAGE_NAME, dropStorage, storageEnv, storageUnavailable } from './storage-env.js';

/** 32+ characters, fixed so failures are reproducible. */
export const TEST_SESSION_SECRET = 'test-session-secret-0123456789abcdef';

/** The account every test server starts with; `Browser` signs in with it. */
export const TEST_ACCOUNT = {
  email: 'ada@example.com',
  password: 'correct horse battery staple',
} as const;

export interface TestServer {
  /** Where the server listens: http://127.0.0.1:<port>. Equal to PUBLIC_URL unless a test sets PUBLIC_URL. */
  url: string;
  /** PUBLIC_URL, the issuer (no trailing slash). */
  issuer: string;
  /** PUBLIC_URL + "/mcp", the canonical resource. */
  resource: string;
  config: Config;
  store: Store;
  user: User;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Replaces the fetch the server uses for Client ID Metadata Documents. */
  fetch?: typeof fetch;
  /** Resolves Client ID Metadata Document hosts for the server's own (address-checking) fetch. */
  resolveHost?: ResolveHost;
  /** The server's clock, Unix epoch seconds. */
  now?: () => number;
  /** Wraps the app before it is mounted, e.g. to record or rewrite its answers. */
  wrapApp?: (app: App) => App;
  /** Wraps the store the app uses (the test still gets the real one), e.g. to inject a fault. */
  wrapStore?: (store: Store) => Store;
}

let testPasswordHash: string | undefined;

/**
 * Creates the test account. The first time through the real createAccount; after that its password
 * hash is reused, since every server gets the same password.
 */
async function addTestAccount(store: Store): Promise<User> {
  if (testPasswordHash === undefined) {
    const user = await createAccount(store, TEST_ACCOUNT.email, TEST_ACCOUNT.password);
    testPasswordHash = user.passwordHash;
    return user;
  }
  const user: User = {
    userId: randomUUID(),
    email: TEST_ACCOUNT.email,
    passwordHash: testPasswordHash,
    createdAt: Math.floor(Date.now() / 1000),
  };
  await store.createUser(user);
  return user;
}

/** Asks the OS for a free port, then gives it back so the server can take it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the probe port'));
      });
    });
  });
}

/**
 * The real server (config, store, app, HTTP adapter) on an ephemeral 127.0.0.1 port, with a store of
 * its own (see storage-env.ts). Rate limits are high unless a test sets them; `env` overrides everything.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  if (storageUnavailable) {
    throw new Error(`This test needs the ${STORAGE_NAME} server: ${storageUnavailable}`);
  }
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-oauth-test-'));
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SESSION_SECRET: TEST_SESSION_SECRET,
    ...storageEnv(dataDir),
    RATE_LIMIT_REGISTER: '100000',
    RATE_LIMIT_TOKEN: '100000',
    RATE_LIMIT_TOKEN_PER_ADDRESS: '100000',
    RATE_LIMIT_LOGIN: '100000',
    RATE_LIMIT_LOGIN_ACCOUNT: '100000',
    RATE_LIMIT_CIMD_FETCH: '100000',
    ...env,
  });
  const store = createStore(config);
  await store.init();
  const user = await addTestAccount(store);
  const app = createApp({
    config,
    store: options.wrapStore?.(store) ?? store,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const http = await startHttpServer(options.wrapApp?.(app) ?? app, { host: '127.0.0.1', port });
  return {
    url: `http://127.0.0.1:${http.port}`,
    issuer: config.publicUrl,
    resource: config.resource,
    config,
    store,
    user,
    async close() {
      await http.close();
      await store.close();
      await dropStorage(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
