import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  hashPassword,
  needsRehash,
  parsePasswordHashCost,
  verifyPassword,
} from '../../src/passwords/passwords.js';
import { rehashIfWeak } from '../../src/passwords/rehash.js';
import {
  Browser,
  authorizeUrl,
  pkcePair,
  randomState,
  registerPublicClient,
} from '../helpers/oauth.js';
import { TEST_SESSION_SECRET, startTestServer, type TestServer } from '../helpers/server.js';
import { REQUIRED_STORAGE_ENV } from '../helpers/storage-env.js';

const PASSWORD = 'a long enough passphrase';

/** The argon2id parameters of a PHC string: memory in KiB, passes, lanes. */
function argon2Parameters(encoded: string): { m: number; t: number; p: number } {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(
    encoded,
  );
  if (!match) throw new Error(`not an argon2id PHC string: ${encoded}`);
  return { m: Number(match[1]), t: Number(match[2]), p: Number(match[3]) };
}

/** A hash exactly as create-mcp-oauth-server 0.1.0 wrote it: scrypt, N = 2^14, r = 8, p = 1. */
function legacyScryptHash(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { N: 16384, r: 8, p: 1 });
  return ['scrypt', 16384, 8, 1, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

describe('flow rule passwords: argon2id hashes', () => {
  it('rule passwords: new hashes are argon2id with at least 19 MiB and 2 passes', async () => {
    const encoded = await hashPassword(PASSWORD, 'standard');
    const { m, t } = argon2Parameters(encoded);
    expect(m).toBeGreaterThanOrEqual(19 * 1024);
    expect(t).toBeGreaterThanOrEqual(2);
    expect(encoded).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, encoded)).toBe(true);
    expect(await verifyPassword('a wrong passphrase!', encoded)).toBe(false);
  });

  it('rule passwords: two hashes of one password differ (random salt)', async () => {
    expect(await hashPassword(PASSWORD, 'test')).not.toBe(await hashPassword(PASSWORD, 'test'));
  });

  it('rule passwords: a hash below the configured cost, or in an older format, asks to be rehashed', async () => {
    expect(needsRehash(await hashPassword(PASSWORD, 'standard'), 'standard')).toBe(false);
    expect(needsRehash(await hashPassword(PASSWORD, 'test'), 'standard')).toBe(true);
    expect(needsRehash(legacyScryptHash(PASSWORD), 'standard')).toBe(true);
    expect(needsRehash(legacyScryptHash(PASSWORD), 'test')).toBe(true);
  });

  it('rule passwords: a malformed hash never verifies', async () => {
    for (const encoded of [
      '',
      'plain text',
      '$argon2id$v=19$m=1,t=1,p=1$AA$AA',
      'scrypt$16384$8$1$',
    ])
      expect(await verifyPassword(PASSWORD, encoded), encoded).toBe(false);
  });

  it('rule passwords: PASSWORD_HASH_COST=test is for local test runs only', () => {
    expect(parsePasswordHashCost(undefined)).toBe('standard');
    expect(parsePasswordHashCost('test')).toBe('test');
    const local = {
      ...REQUIRED_STORAGE_ENV,
      SESSION_SECRET: TEST_SESSION_SECRET,
      PASSWORD_HASH_COST: 'test',
    };
    expect(loadConfig(local).passwordHashCost).toBe('test');
    const deployed = { ...local, PUBLIC_URL: 'https://mcp.example.com' };
    expect(() => loadConfig(deployed)).toThrow(/PASSWORD_HASH_COST=test is for test suites only/);
    expect(() =>
      loadConfig({ ...deployed, PUBLIC_URL: 'https://127.0.0.1:8443', NODE_ENV: 'production' }),
    ).toThrow(/PASSWORD_HASH_COST=test is for test suites only/);
    expect(loadConfig({ ...deployed, PASSWORD_HASH_COST: 'standard' }).passwordHashCost).toBe(
      'standard',
    );
  });
});

describe('flow rule passwords: hashes from 0.1.0 are upgraded at the next successful login', () => {
  let server: TestServer;
  let clientId: string;

  beforeAll(async () => {
    server = await startTestServer();
    clientId = (await registerPublicClient(server.url)).client_id;
  });
  afterAll(() => server.close());

  async function addLegacyAccount(): Promise<{ email: string; password: string; userId: string }> {
    const account = {
      email: `legacy-${randomState().toLowerCase()}@example.com`,
      password: PASSWORD,
    };
    const userId = randomUUID();
    await server.store.createUser({
      userId,
      email: account.email,
      passwordHash: legacyScryptHash(account.password),
      createdAt: Math.floor(Date.now() / 1000),
    });
    return { ...account, userId };
  }

  async function signIn(
    account: { email: string; password: string },
    password: string,
  ): Promise<number> {
    const browser = new Browser(server, account);
    const page = await browser.get(
      authorizeUrl(server.url, {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: 'http://127.0.0.1/callback',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        state: randomState(),
      }),
    );
    return (await browser.submitLogin(await page.text(), { password })).status;
  }

  it('rule passwords: an old scrypt account signs in, and its hash is replaced by argon2id', async () => {
    const account = await addLegacyAccount();
    expect(await signIn(account, account.password)).toBe(302);

    const upgraded = (await server.store.findUserById(account.userId))!.passwordHash;
    expect(upgraded).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(account.password, upgraded)).toBe(true);
    // And the new hash lets the user in again.
    expect(await signIn(account, account.password)).toBe(302);
    expect((await server.store.findUserById(account.userId))!.passwordHash).toBe(upgraded);
  });

  it('rule passwords: a wrong password on an old account fails and leaves its hash alone', async () => {
    const account = await addLegacyAccount();
    const before = (await server.store.findUserById(account.userId))!.passwordHash;
    expect(await signIn(account, 'not the passphrase')).toBe(401);
    expect((await server.store.findUserById(account.userId))!.passwordHash).toBe(before);
  });

  it('rule passwords: the rehash keeps a weak hash that the password given does not match', async () => {
    // verifyCredentials is the user's: it may have accepted the password against another system.
    const account = await addLegacyAccount();
    const user = (await server.store.findUserById(account.userId))!;
    await rehashIfWeak(server.store, user, 'another system said yes');
    expect((await server.store.findUserById(account.userId))!.passwordHash).toBe(user.passwordHash);
    await rehashIfWeak(server.store, user, account.password);
    expect((await server.store.findUserById(account.userId))!.passwordHash).toMatch(
      /^\$argon2id\$/,
    );
  });
});
