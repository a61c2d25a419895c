import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createStore } from '../../src/storage/index.js';
import { dropStorage, storageEnv } from './storage-env.js';
import type {
  AccessToken,
  AuthorizationCode,
  Client,
  Grant,
  RefreshToken,
  Session,
  Store,
  User,
} from '../../src/storage/store.js';

/** The storage tests' clock: every time is an offset from this one. */
export const T0 = 1_700_000_000;

export const RESOURCE = 'http://127.0.0.1:3000/mcp';

/** A directory of its own for one test; file-backed storages keep their database in it. */
export async function makeTempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'mcp-oauth-storage-'));
}

export async function removeTempDir(dir: string): Promise<void> {
  await dropStorage(dir);
  await rm(dir, { recursive: true, force: true });
}

/** The project's store, initialised. Storages without a database file ignore `databaseUrl`. */
export async function openStore(databaseUrl: string): Promise<Store> {
  const config = loadConfig({ SESSION_SECRET: 'x'.repeat(32), DATABASE_URL: databaseUrl });
  const store = createStore(config);
  await store.init();
  return store;
}

/**
 * The project's store, initialised, in a namespace of its own named after `dir`: a database file
 * in it, or a schema or key prefix on the server DATABASE_URL / REDIS_URL names (see storage-env.ts).
 */
export async function openStoreIn(dir: string): Promise<Store> {
  const config = loadConfig({ SESSION_SECRET: 'x'.repeat(32), ...storageEnv(dir) });
  const store = createStore(config);
  await store.init();
  return store;
}

/** Stands in for the SHA-256 of a secret: unique and the same shape. */
export function randomHash(): string {
  return randomBytes(32).toString('base64url');
}

export function newClient(overrides: Partial<Client> = {}): Client {
  return {
    clientId: randomHash(),
    clientSecretHash: null,
    clientName: 'Storage test client',
    redirectUris: ['http://127.0.0.1:33418/callback', 'https://vscode.dev/redirect'],
    grantTypes: ['authorization_code', 'refresh_token'],
    responseTypes: ['code'],
    tokenEndpointAuthMethod: 'none',
    metadata: { application_type: 'native', client_uri: 'https://client.example', contacts: [] },
    createdAt: T0,
    ...overrides,
  };
}

export function newGrant(overrides: Partial<Grant> = {}): Grant {
  return {
    grantId: randomHash(),
    clientId: randomHash(),
    userId: randomHash(),
    scopes: ['mcp:read', 'mcp:write'],
    resource: RESOURCE,
    createdAt: T0,
    revokedAt: null,
    ...overrides,
  };
}

export function newCode(
  grant: Grant,
  overrides: Partial<AuthorizationCode> = {},
): AuthorizationCode {
  return {
    codeHash: randomHash(),
    grantId: grant.grantId,
    clientId: grant.clientId,
    userId: grant.userId,
    redirectUri: 'http://127.0.0.1:33418/callback',
    codeChallenge: randomHash(),
    scopes: grant.scopes,
    resource: grant.resource,
    expiresAt: T0 + 600,
    ...overrides,
  };
}

export interface TokenPair {
  access: AccessToken;
  refresh: RefreshToken;
}

/** A new pair of the grant; pass `parentHash` for a pair that replaces that refresh token. */
export function newTokenPair(
  grant: Grant,
  expiry: { accessExpiresAt?: number; refreshExpiresAt?: number } = {},
  parentHash: string | null = null,
): TokenPair {
  const owner = { grantId: grant.grantId, clientId: grant.clientId, userId: grant.userId };
  const claims = { scopes: grant.scopes, resource: grant.resource };
  return {
    access: {
      tokenHash: randomHash(),
      ...owner,
      ...claims,
      expiresAt: expiry.accessExpiresAt ?? T0 + 3600,
    },
    refresh: {
      tokenHash: randomHash(),
      ...owner,
      ...claims,
      expiresAt: expiry.refreshExpiresAt ?? T0 + 30 * 24 * 3600,
      rotatedAt: null,
      parentHash,
      retiredAt: null,
    },
  };
}

export function newUser(overrides: Partial<User> = {}): User {
  return {
    userId: randomHash(),
    email: `user-${randomHash().slice(0, 8).toLowerCase()}@example.com`,
    passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
    createdAt: T0,
    ...overrides,
  };
}

export function newSession(user: User, overrides: Partial<Session> = {}): Session {
  return { sessionHash: randomHash(), userId: user.userId, expiresAt: T0 + 3600, ...overrides };
}

/** A stored grant with its (not yet consumed) authorization code. */
export async function storeGrantWithCode(
  store: Store,
  codeOverrides: Partial<AuthorizationCode> = {},
): Promise<{ grant: Grant; code: AuthorizationCode }> {
  const grant = newGrant();
  const code = newCode(grant, codeOverrides);
  await store.createGrantWithCode(grant, code);
  return { grant, code };
}

/** A stored grant whose code was exchanged for its first token pair. */
export async function storeGrantWithTokens(
  store: Store,
  expiry: { accessExpiresAt?: number; refreshExpiresAt?: number } = {},
): Promise<{ grant: Grant; code: AuthorizationCode } & TokenPair> {
  const { grant, code } = await storeGrantWithCode(store);
  await store.consumeCode(code.codeHash);
  const pair = newTokenPair(grant, expiry);
  await store.saveTokens(pair.access, pair.refresh);
  return { grant, code, ...pair };
}
