import { afterEach, beforeEach, expect, test } from 'vitest';
import { DuplicateKeyError, type RefreshToken, type Store } from '../src/storage/store.js';
import {
  T0,
  makeTempDir,
  newClient,
  newCode,
  newGrant,
  newSession,
  newTokenPair,
  newUser,
  openStoreIn,
  randomHash,
  removeTempDir,
  storeGrantWithCode,
  storeGrantWithTokens,
} from './helpers/storage-fixtures.js';
import { STORAGE_NAME, describeOrSkip, storageUnavailable } from './helpers/storage-env.js';

// Every Store implementation must pass this file unchanged. Times are fixed offsets from T0,
// and "not expired at now" means expiresAt > now.

const GRACE_SECONDS = 120;

/**
 * Makes a pooled store open its connections before a race: a cold PostgreSQL pool opens them more
 * slowly than its first connection finishes every call, which would run the race one call at a time.
 */
async function warmUp(store: Store, grantId: string): Promise<void> {
  await Promise.all(Array.from({ length: 20 }, () => store.findGrant(grantId)));
}

// Skipped, saying why, when the storage server is not configured.
describeOrSkip(`storage contract (${STORAGE_NAME})`, storageUnavailable, () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = await makeTempDir();
    store = await openStoreIn(dir);
  });

  afterEach(async () => {
    await store.close();
    await removeTempDir(dir);
  });

  test('storage contract: findClient returns a created client exactly as it was stored', async () => {
    const publicClient = newClient();
    const confidentialClient = newClient({
      clientSecretHash: randomHash(),
      clientName: null,
      tokenEndpointAuthMethod: 'client_secret_basic',
      metadata: { logo_uri: 'https://client.example/logo.png', nested: { a: [1, 2] } },
    });
    await store.createClient(publicClient);
    await store.createClient(confidentialClient);

    expect(await store.findClient(publicClient.clientId)).toEqual(publicClient);
    expect(await store.findClient(confidentialClient.clientId)).toEqual(confidentialClient);
    expect(await store.findClient('no-such-client')).toBeUndefined();
  });

  test('storage contract: createClient refuses a duplicate client id with DuplicateKeyError', async () => {
    const client = newClient();
    await store.createClient(client);

    await expect(
      store.createClient(newClient({ clientId: client.clientId, clientName: 'Impostor' })),
    ).rejects.toBeInstanceOf(DuplicateKeyError);
    expect(await store.findClient(client.clientId)).toEqual(client);
  });

  test('storage contract: createGrantWithCode stores the grant and its code together', async () => {
    const { grant, code } = await storeGrantWithCode(store);

    expect(await store.findGrant(grant.grantId)).toEqual(grant);
    expect(await store.consumeCode(code.codeHash)).toEqual({ status: 'consumed', code });
    expect(await store.findGrant('no-such-grant')).toBeUndefined();
  });

  test('storage contract: createGrantWithCode stores nothing when the code hash is taken', async () => {
    const { code: existing } = await storeGrantWithCode(store);
    const grant = newGrant();

    await expect(
      store.createGrantWithCode(grant, newCode(grant, { codeHash: existing.codeHash })),
    ).rejects.toBeInstanceOf(DuplicateKeyError);
    expect(await store.findGrant(grant.grantId)).toBeUndefined();
  });

  test('storage contract: consumeCode consumes a code once, then reports it replayed', async () => {
    const { code } = await storeGrantWithCode(store);

    expect(await store.consumeCode(code.codeHash)).toEqual({ status: 'consumed', code });
    expect(await store.consumeCode(code.codeHash)).toEqual({ status: 'replayed', code });
    expect(await store.consumeCode(code.codeHash)).toEqual({ status: 'replayed', code });
  });

  test('storage contract: consumeCode of an unknown code is not_found', async () => {
    expect(await store.consumeCode(randomHash())).toEqual({ status: 'not_found' });
  });

  test('storage contract: consumeCode leaves the expiry check to the caller', async () => {
    const { code } = await storeGrantWithCode(store, { expiresAt: T0 - 1 });

    expect(await store.consumeCode(code.codeHash)).toEqual({ status: 'consumed', code });
  });

  test('storage contract: consumeCode is single-use under concurrency (50 parallel calls)', async () => {
    const { grant, code } = await storeGrantWithCode(store);
    await warmUp(store, grant.grantId);

    const results = await Promise.all(
      Array.from({ length: 50 }, () => store.consumeCode(code.codeHash)),
    );

    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 'consumed')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'replayed')).toHaveLength(49);
  });

  test('storage contract: saveTokens stores a pair and findAccessToken honours its expiry', async () => {
    const { access, refresh } = await storeGrantWithTokens(store, { accessExpiresAt: T0 + 3600 });

    expect(await store.findAccessToken(access.tokenHash, T0)).toEqual(access);
    expect(await store.findAccessToken(access.tokenHash, T0 + 3599)).toEqual(access);
    expect(await store.findAccessToken(access.tokenHash, T0 + 3600)).toBeUndefined();
    expect(await store.findAccessToken(randomHash(), T0)).toBeUndefined();
    expect(await store.findRefreshToken(refresh.tokenHash)).toEqual(refresh);
  });

  test('storage contract: saveTokens refuses a token hash that is already stored', async () => {
    const { grant, access } = await storeGrantWithTokens(store);
    const pair = newTokenPair(grant);

    await expect(
      store.saveTokens({ ...pair.access, tokenHash: access.tokenHash }, pair.refresh),
    ).rejects.toBeInstanceOf(DuplicateKeyError);
    expect(await store.findRefreshToken(pair.refresh.tokenHash)).toBeUndefined();
  });

  test('storage contract: findRefreshToken returns a token as stored, expired or rotated', async () => {
    // findRefreshToken takes no clock: a token that expired (T0 + 10 is long past) is still returned.
    const { grant, refresh } = await storeGrantWithTokens(store, { refreshExpiresAt: T0 + 10 });
    const next = newTokenPair(grant, {}, refresh.tokenHash);
    await store.rotateRefreshToken({
      oldTokenHash: refresh.tokenHash,
      newAccessToken: next.access,
      newRefreshToken: next.refresh,
      now: T0 + 5,
      graceSeconds: GRACE_SECONDS,
    });

    expect(await store.findRefreshToken(refresh.tokenHash)).toEqual({
      ...refresh,
      rotatedAt: T0 + 5,
    });
    expect(await store.findRefreshToken(randomHash())).toBeUndefined();
  });

  test('storage contract: revokeAccessToken stops that access token only', async () => {
    const { grant, access, refresh } = await storeGrantWithTokens(store);
    const other = newTokenPair(grant);
    await store.saveTokens(other.access, other.refresh);

    await store.revokeAccessToken(access.tokenHash);
    await store.revokeAccessToken(randomHash());

    expect(await store.findAccessToken(access.tokenHash, T0)).toBeUndefined();
    expect(await store.findAccessToken(other.access.tokenHash, T0)).toEqual(other.access);
    expect(await store.findRefreshToken(refresh.tokenHash)).toEqual(refresh);
  });

  test('storage contract: revokeGrant stops every access and refresh token of the grant, idempotently', async () => {
    const { grant, access, refresh } = await storeGrantWithTokens(store);
    const second = newTokenPair(grant);
    await store.saveTokens(second.access, second.refresh);
    const unrelated = await storeGrantWithTokens(store);

    await store.revokeGrant(grant.grantId, T0 + 60);
    await store.revokeGrant(grant.grantId, T0 + 90);

    expect(await store.findGrant(grant.grantId)).toEqual({ ...grant, revokedAt: T0 + 60 });
    for (const token of [access, second.access]) {
      expect(await store.findAccessToken(token.tokenHash, T0)).toBeUndefined();
    }
    for (const token of [refresh, second.refresh]) {
      expect(await store.findRefreshToken(token.tokenHash)).toBeUndefined();
    }
    expect(await store.findAccessToken(unrelated.access.tokenHash, T0)).toEqual(unrelated.access);
    expect(await store.findRefreshToken(unrelated.refresh.tokenHash)).toEqual(unrelated.refresh);
    await store.revokeGrant('no-such-grant', T0);
  });

  test('storage contract: rotateRefreshToken rotates a current token and stores the new pair', async () => {
    const { grant, refresh } = await storeGrantWithTokens(store);
    const next = newTokenPair(grant, {}, refresh.tokenHash);

    const result = await store.rotateRefreshToken({
      oldTokenHash: refresh.tokenHash,
      newAccessToken: next.access,
      newRefreshToken: next.refresh,
      now: T0 + 100,
      graceSeconds: GRACE_SECONDS,
    });

    expect(result).toEqual({ status: 'rotated', previous: refresh });
    expect(await store.findRefreshToken(refresh.tokenHash)).toEqual({
      ...refresh,
      rotatedAt: T0 + 100,
    });
    expect(await store.findRefreshToken(next.refresh.tokenHash)).toEqual(next.refresh);
    expect(await store.findAccessToken(next.access.tokenHash, T0 + 100)).toEqual(next.access);
  });

  test('storage contract: rotateRefreshToken goes rotated -> grace -> reused, and reuse revokes the grant', async () => {
    const { grant, access, refresh } = await storeGrantWithTokens(store);
    const rotate = (now: number) => {
      const next = newTokenPair(grant, {}, refresh.tokenHash);
      const result = store.rotateRefreshToken({
        oldTokenHash: refresh.tokenHash,
        newAccessToken: next.access,
        newRefreshToken: next.refresh,
        now,
        graceSeconds: GRACE_SECONDS,
      });
      return { next, result };
    };

    const first = rotate(T0 + 1000);
    expect((await first.result).status).toBe('rotated');

    const withinGrace = rotate(T0 + 1000 + GRACE_SECONDS - 1);
    expect(await withinGrace.result).toEqual({
      status: 'grace',
      previous: { ...refresh, rotatedAt: T0 + 1000 },
    });
    expect(await store.findRefreshToken(withinGrace.next.refresh.tokenHash)).toEqual(
      withinGrace.next.refresh,
    );

    const afterGrace = rotate(T0 + 1000 + GRACE_SECONDS);
    expect(await afterGrace.result).toEqual({
      status: 'reused',
      previous: { ...refresh, rotatedAt: T0 + 1000 },
    });
    expect((await store.findGrant(grant.grantId))?.revokedAt).toBe(T0 + 1000 + GRACE_SECONDS);
    expect(await store.findRefreshToken(afterGrace.next.refresh.tokenHash)).toBeUndefined();
    for (const token of [access, first.next.access, withinGrace.next.access]) {
      expect(await store.findAccessToken(token.tokenHash, T0 + 1000)).toBeUndefined();
    }
    for (const token of [refresh, first.next.refresh, withinGrace.next.refresh]) {
      expect(await store.findRefreshToken(token.tokenHash)).toBeUndefined();
    }
  });

  test('storage contract: rotateRefreshToken with no grace window treats any second use as reuse', async () => {
    const { grant, refresh } = await storeGrantWithTokens(store);
    const rotateAt = (now: number) => {
      const next = newTokenPair(grant, {}, refresh.tokenHash);
      return store.rotateRefreshToken({
        oldTokenHash: refresh.tokenHash,
        newAccessToken: next.access,
        newRefreshToken: next.refresh,
        now,
        graceSeconds: 0,
      });
    };

    expect((await rotateAt(T0 + 10)).status).toBe('rotated');
    expect((await rotateAt(T0 + 10)).status).toBe('reused');
  });

  test('storage contract: rotateRefreshToken is invalid for unknown, expired and revoked tokens and stores nothing', async () => {
    const expiring = await storeGrantWithTokens(store, { refreshExpiresAt: T0 + 500 });
    const revoked = await storeGrantWithTokens(store);
    await store.revokeGrant(revoked.grant.grantId, T0);

    const cases = [
      { oldTokenHash: randomHash(), grant: expiring.grant },
      { oldTokenHash: expiring.refresh.tokenHash, grant: expiring.grant },
      { oldTokenHash: revoked.refresh.tokenHash, grant: revoked.grant },
    ];
    for (const { oldTokenHash, grant } of cases) {
      const next = newTokenPair(grant);
      const result = await store.rotateRefreshToken({
        oldTokenHash,
        newAccessToken: next.access,
        newRefreshToken: next.refresh,
        now: T0 + 500,
        graceSeconds: GRACE_SECONDS,
      });
      expect(result).toEqual({ status: 'invalid' });
      expect(await store.findAccessToken(next.access.tokenHash, T0)).toBeUndefined();
      expect(await store.findRefreshToken(next.refresh.tokenHash)).toBeUndefined();
    }
    expect(await store.findRefreshToken(expiring.refresh.tokenHash)).toEqual(expiring.refresh);
  });

  test('storage contract: rotateRefreshToken changes nothing when the new pair cannot be stored', async () => {
    const { grant, access, refresh } = await storeGrantWithTokens(store);
    const next = newTokenPair(grant);

    await expect(
      store.rotateRefreshToken({
        oldTokenHash: refresh.tokenHash,
        newAccessToken: { ...next.access, tokenHash: access.tokenHash },
        newRefreshToken: next.refresh,
        now: T0 + 10,
        graceSeconds: GRACE_SECONDS,
      }),
    ).rejects.toBeInstanceOf(DuplicateKeyError);
    expect(await store.findRefreshToken(refresh.tokenHash)).toEqual(refresh);
    expect(await store.findRefreshToken(next.refresh.tokenHash)).toBeUndefined();
  });

  test('storage contract: 50 concurrent rotations of one token within the grace window all succeed with valid tokens', async () => {
    const { grant, refresh } = await storeGrantWithTokens(store);
    const pairs = Array.from({ length: 50 }, () => newTokenPair(grant, {}, refresh.tokenHash));
    await warmUp(store, grant.grantId);

    const results = await Promise.all(
      pairs.map((next) =>
        store.rotateRefreshToken({
          oldTokenHash: refresh.tokenHash,
          newAccessToken: next.access,
          newRefreshToken: next.refresh,
          now: T0 + 10,
          graceSeconds: GRACE_SECONDS,
        }),
      ),
    );

    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 'rotated')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'grace')).toHaveLength(49);
    expect((await store.findGrant(grant.grantId))?.revokedAt).toBeNull();
    for (const next of pairs) {
      expect(await store.findAccessToken(next.access.tokenHash, T0 + 10)).toEqual(next.access);
      expect(await store.findRefreshToken(next.refresh.tokenHash)).toEqual(next.refresh);
    }
  });

  test('storage contract: findCode returns a code as stored, before and after it is consumed, without consuming it', async () => {
    const { code } = await storeGrantWithCode(store);

    expect(await store.findCode(code.codeHash)).toEqual({ code, consumed: false });
    expect(await store.findCode(code.codeHash)).toEqual({ code, consumed: false });
    expect(await store.consumeCode(code.codeHash)).toEqual({ status: 'consumed', code });
    expect(await store.findCode(code.codeHash)).toEqual({ code, consumed: true });
    expect(await store.findCode(randomHash())).toBeUndefined();
  });

  test('storage contract: the first use of one sibling retires the replaced token and every other sibling', async () => {
    const { grant, refresh } = await storeGrantWithTokens(store);
    const rotate = async (old: RefreshToken, now: number) => {
      const next = newTokenPair(grant, {}, old.tokenHash);
      const result = await store.rotateRefreshToken({
        oldTokenHash: old.tokenHash,
        newAccessToken: next.access,
        newRefreshToken: next.refresh,
        now,
        graceSeconds: GRACE_SECONDS,
      });
      return { ...next, status: result.status };
    };
    const first = await rotate(refresh, T0 + 10);
    const kept = await rotate(refresh, T0 + 20);
    const third = await rotate(refresh, T0 + 30);
    expect([first.status, kept.status, third.status]).toEqual(['rotated', 'grace', 'grace']);
    // Each sibling is stored with its parent.
    expect(await store.findRefreshToken(third.refresh.tokenHash)).toEqual(third.refresh);

    const next = await rotate(kept.refresh, T0 + 40);

    expect(next.status).toBe('rotated');
    expect(await store.findRefreshToken(refresh.tokenHash)).toEqual({
      ...refresh,
      rotatedAt: T0 + 10,
      retiredAt: T0 + 40,
    });
    for (const retired of [first, third]) {
      expect((await store.findRefreshToken(retired.refresh.tokenHash))?.retiredAt).toBe(T0 + 40);
      // A refresh never revokes still-valid access tokens: the siblings' access tokens live on.
      expect(await store.findAccessToken(retired.access.tokenHash, T0 + 40)).toEqual(
        retired.access,
      );
    }
    expect(await store.findRefreshToken(kept.refresh.tokenHash)).toEqual({
      ...kept.refresh,
      rotatedAt: T0 + 40,
    });
    expect((await store.findGrant(grant.grantId))?.revokedAt).toBeNull();
    // The survivor's chain goes on, and its own grace window works as before.
    expect((await rotate(kept.refresh, T0 + 50)).status).toBe('grace');
    expect((await rotate(next.refresh, T0 + 60)).status).toBe('rotated');
  });

  test('storage contract: presenting a retired sibling is reuse and revokes the grant', async () => {
    const { grant, refresh } = await storeGrantWithTokens(store);
    const pair = (old: RefreshToken) => newTokenPair(grant, {}, old.tokenHash);
    const rotate = (old: RefreshToken, next: ReturnType<typeof pair>, now: number) =>
      store.rotateRefreshToken({
        oldTokenHash: old.tokenHash,
        newAccessToken: next.access,
        newRefreshToken: next.refresh,
        now,
        graceSeconds: GRACE_SECONDS,
      });
    const legitimate = pair(refresh);
    const stolen = pair(refresh);
    expect((await rotate(refresh, legitimate, T0 + 10)).status).toBe('rotated');
    expect((await rotate(refresh, stolen, T0 + 11)).status).toBe('grace');
    const successor = pair(legitimate.refresh);
    expect((await rotate(legitimate.refresh, successor, T0 + 20)).status).toBe('rotated');

    const reused = await rotate(stolen.refresh, pair(stolen.refresh), T0 + 21);

    expect(reused).toEqual({
      status: 'reused',
      previous: { ...stolen.refresh, retiredAt: T0 + 20 },
    });
    expect((await store.findGrant(grant.grantId))?.revokedAt).toBe(T0 + 21);
    expect(await store.findRefreshToken(successor.refresh.tokenHash)).toBeUndefined();
    expect(await store.findAccessToken(successor.access.tokenHash, T0 + 21)).toBeUndefined();
  });

  test('storage contract: the replaced token leaves its grace window at the first use of a successor', async () => {
    const { grant, refresh } = await storeGrantWithTokens(store);
    const rotate = (old: RefreshToken, now: number) => {
      const next = newTokenPair(grant, {}, old.tokenHash);
      return {
        next,
        result: store.rotateRefreshToken({
          oldTokenHash: old.tokenHash,
          newAccessToken: next.access,
          newRefreshToken: next.refresh,
          now,
          graceSeconds: GRACE_SECONDS,
        }),
      };
    };
    const successor = rotate(refresh, T0 + 10);
    expect((await successor.result).status).toBe('rotated');
    expect((await rotate(successor.next.refresh, T0 + 11).result).status).toBe('rotated');

    expect((await rotate(refresh, T0 + 12).result).status).toBe('reused');
    expect((await store.findGrant(grant.grantId))?.revokedAt).toBe(T0 + 12);
  });

  test('storage contract: 50 siblings used at once: one rotates, the next is reuse and revokes the grant (never two chains)', async () => {
    const { grant, refresh } = await storeGrantWithTokens(store);
    const siblings = Array.from({ length: 50 }, () => newTokenPair(grant, {}, refresh.tokenHash));
    for (const [index, sibling] of siblings.entries()) {
      await store.rotateRefreshToken({
        oldTokenHash: refresh.tokenHash,
        newAccessToken: sibling.access,
        newRefreshToken: sibling.refresh,
        now: T0 + 10 + index,
        graceSeconds: GRACE_SECONDS,
      });
    }
    await warmUp(store, grant.grantId);

    const results = await Promise.all(
      siblings.map((sibling) => {
        const next = newTokenPair(grant, {}, sibling.refresh.tokenHash);
        return store.rotateRefreshToken({
          oldTokenHash: sibling.refresh.tokenHash,
          newAccessToken: next.access,
          newRefreshToken: next.refresh,
          now: T0 + 100,
          graceSeconds: GRACE_SECONDS,
        });
      }),
    );

    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 'rotated')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'reused')).toHaveLength(1);
    // The grant is revoked by then, so the rest are simply invalid.
    expect(statuses.filter((status) => status === 'invalid')).toHaveLength(48);
    expect((await store.findGrant(grant.grantId))?.revokedAt).toBe(T0 + 100);
  });

  test('storage contract: retireRefreshToken retires that one token and leaves the grant alone', async () => {
    const { grant, access, refresh } = await storeGrantWithTokens(store);
    const next = newTokenPair(grant, {}, refresh.tokenHash);
    await store.rotateRefreshToken({
      oldTokenHash: refresh.tokenHash,
      newAccessToken: next.access,
      newRefreshToken: next.refresh,
      now: T0 + 10,
      graceSeconds: GRACE_SECONDS,
    });

    await store.retireRefreshToken(refresh.tokenHash, T0 + 20);
    await store.retireRefreshToken(refresh.tokenHash, T0 + 30);
    await store.retireRefreshToken(randomHash(), T0 + 30);

    expect(await store.findRefreshToken(refresh.tokenHash)).toEqual({
      ...refresh,
      rotatedAt: T0 + 10,
      retiredAt: T0 + 20,
    });
    expect((await store.findGrant(grant.grantId))?.revokedAt).toBeNull();
    expect(await store.findAccessToken(access.tokenHash, T0 + 20)).toEqual(access);
    expect(await store.findAccessToken(next.access.tokenHash, T0 + 20)).toEqual(next.access);
    expect(await store.findRefreshToken(next.refresh.tokenHash)).toEqual(next.refresh);
    const retry = newTokenPair(grant, {}, refresh.tokenHash);
    const reused = await store.rotateRefreshToken({
      oldTokenHash: refresh.tokenHash,
      newAccessToken: retry.access,
      newRefreshToken: retry.refresh,
      now: T0 + 21,
      graceSeconds: GRACE_SECONDS,
    });
    expect(reused.status).toBe('reused');
  });

  test('storage contract: a user email is stored lowercased and found in any case', async () => {
    const user = newUser({ email: 'Ada.Lovelace@Example.COM' });
    await store.createUser(user);
    const stored = { ...user, email: 'ada.lovelace@example.com' };

    expect(await store.findUserByEmail('ada.lovelace@example.com')).toEqual(stored);
    expect(await store.findUserByEmail('ADA.LOVELACE@EXAMPLE.COM')).toEqual(stored);
    expect(await store.findUserById(user.userId)).toEqual(stored);
    expect(await store.findUserByEmail('nobody@example.com')).toBeUndefined();
    expect(await store.findUserById('no-such-user')).toBeUndefined();
  });

  test('storage contract: createUser refuses a taken email in any case and a taken user id', async () => {
    const user = newUser({ email: 'grace@example.com' });
    await store.createUser(user);

    await expect(store.createUser(newUser({ email: 'GRACE@example.com' }))).rejects.toBeInstanceOf(
      DuplicateKeyError,
    );
    await expect(store.createUser(newUser({ userId: user.userId }))).rejects.toBeInstanceOf(
      DuplicateKeyError,
    );
    expect(await store.findUserById(user.userId)).toEqual(user);
  });

  test("storage contract: setPasswordHash replaces only that user's hash, and ignores unknown ids", async () => {
    const user = newUser();
    const other = newUser();
    await store.createUser(user);
    await store.createUser(other);

    await store.setPasswordHash(user.userId, '$argon2id$v=19$m=19456,t=2,p=1$new$hash');
    await store.setPasswordHash('no-such-user', 'ignored');

    const changed = { ...user, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$new$hash' };
    expect(await store.findUserById(user.userId)).toEqual(changed);
    expect(await store.findUserByEmail(user.email)).toEqual(changed);
    expect(await store.findUserById(other.userId)).toEqual(other);
    expect(await store.findUserById('no-such-user')).toBeUndefined();
  });

  test('storage contract: a session is found until it expires and not after deleteSession', async () => {
    const user = newUser();
    const session = newSession(user, { expiresAt: T0 + 3600 });
    const other = newSession(user);
    await store.createSession(session);
    await store.createSession(other);

    expect(await store.findSession(session.sessionHash, T0 + 3599)).toEqual(session);
    expect(await store.findSession(session.sessionHash, T0 + 3600)).toBeUndefined();

    await store.deleteSession(session.sessionHash);
    await store.deleteSession(randomHash());
    expect(await store.findSession(session.sessionHash, T0)).toBeUndefined();
    expect(await store.findSession(other.sessionHash, T0)).toEqual(other);
  });

  test('storage contract: the CIMD cache serves a document until it expires, and a put replaces it', async () => {
    const url = 'https://client.example/oauth/client-metadata.json';
    const document = {
      client_id: url,
      client_name: 'Example',
      redirect_uris: ['https://client.example/cb'],
    };
    await store.putCachedClientMetadata({ url, document, expiresAt: T0 + 300 });

    expect(await store.getCachedClientMetadata(url, T0 + 299)).toEqual({
      url,
      document,
      expiresAt: T0 + 300,
    });
    expect(await store.getCachedClientMetadata(url, T0 + 300)).toBeUndefined();
    expect(
      await store.getCachedClientMetadata('https://other.example/cimd.json', T0),
    ).toBeUndefined();

    const refreshed = { ...document, client_name: 'Example, renamed' };
    await store.putCachedClientMetadata({ url, document: refreshed, expiresAt: T0 + 900 });
    expect(await store.getCachedClientMetadata(url, T0 + 600)).toEqual({
      url,
      document: refreshed,
      expiresAt: T0 + 900,
    });
  });

  test('storage contract: purgeExpired removes expired rows and keeps live ones', async () => {
    const expiredCode = await storeGrantWithCode(store, { expiresAt: T0 });
    const liveCode = await storeGrantWithCode(store, { expiresAt: T0 + 600 });
    const expiredTokens = await storeGrantWithTokens(store, {
      accessExpiresAt: T0,
      refreshExpiresAt: T0,
    });
    const liveTokens = await storeGrantWithTokens(store, {
      accessExpiresAt: T0 + 60,
      refreshExpiresAt: T0 + 60,
    });
    const user = newUser();
    const expiredSession = newSession(user, { expiresAt: T0 });
    const liveSession = newSession(user, { expiresAt: T0 + 60 });
    await store.createSession(expiredSession);
    await store.createSession(liveSession);
    const document = { client_name: 'cached' };
    await store.putCachedClientMetadata({
      url: 'https://a.example/cimd',
      document,
      expiresAt: T0,
    });
    await store.putCachedClientMetadata({
      url: 'https://b.example/cimd',
      document,
      expiresAt: T0 + 60,
    });

    await store.purgeExpired(T0);

    // Reading with an earlier `now` tells "deleted" apart from "filtered out as expired".
    const before = T0 - 3600;
    expect(await store.consumeCode(expiredCode.code.codeHash)).toEqual({ status: 'not_found' });
    expect((await store.consumeCode(liveCode.code.codeHash)).status).toBe('consumed');
    expect(await store.findAccessToken(expiredTokens.access.tokenHash, before)).toBeUndefined();
    expect(await store.findRefreshToken(expiredTokens.refresh.tokenHash)).toBeUndefined();
    expect(await store.findAccessToken(liveTokens.access.tokenHash, T0)).toEqual(liveTokens.access);
    expect(await store.findRefreshToken(liveTokens.refresh.tokenHash)).toEqual(liveTokens.refresh);
    expect(await store.findSession(expiredSession.sessionHash, before)).toBeUndefined();
    expect(await store.findSession(liveSession.sessionHash, T0)).toEqual(liveSession);
    expect(await store.getCachedClientMetadata('https://a.example/cimd', before)).toBeUndefined();
    expect(await store.getCachedClientMetadata('https://b.example/cimd', T0)).toBeDefined();
  });

  test('storage contract: purgeExpired deletes grants nothing refers to any more, and revoked grants', async () => {
    // Later than every code's expiry (T0 + 600), so only tokens keep a grant alive.
    const purgeAt = T0 + 3600;
    const unexchanged = await storeGrantWithCode(store, { expiresAt: purgeAt + 600 });
    const expired = await storeGrantWithTokens(store, {
      accessExpiresAt: purgeAt,
      refreshExpiresAt: purgeAt,
    });
    const refreshOnly = await storeGrantWithTokens(store, {
      accessExpiresAt: purgeAt,
      refreshExpiresAt: purgeAt + 60,
    });
    const revoked = await storeGrantWithTokens(store, {
      accessExpiresAt: purgeAt + 60,
      refreshExpiresAt: purgeAt + 60,
    });
    await store.revokeGrant(revoked.grant.grantId, T0);
    const client = newClient();
    const user = newUser();
    await store.createClient(client);
    await store.createUser(user);

    await store.purgeExpired(purgeAt);

    expect(await store.findGrant(unexchanged.grant.grantId)).toEqual(unexchanged.grant);
    expect(await store.findGrant(refreshOnly.grant.grantId)).toEqual(refreshOnly.grant);
    expect(await store.findRefreshToken(refreshOnly.refresh.tokenHash)).toEqual(
      refreshOnly.refresh,
    );
    expect(await store.findGrant(expired.grant.grantId)).toBeUndefined();
    expect(await store.findGrant(revoked.grant.grantId)).toBeUndefined();
    expect(await store.findClient(client.clientId)).toEqual(client);
    expect(await store.findUserById(user.userId)).toEqual(user);
  });

  test('storage contract: objects read from the store are copies that callers cannot change it through', async () => {
    const client = newClient();
    await store.createClient(client);
    client.redirectUris.push('https://attacker.example/cb');

    const found = await store.findClient(client.clientId);
    expect(found?.redirectUris).not.toContain('https://attacker.example/cb');
    found?.redirectUris.push('https://attacker.example/cb');
    expect((await store.findClient(client.clientId))?.redirectUris).not.toContain(
      'https://attacker.example/cb',
    );
  });

  test('storage contract: init can run again on a store that is already initialised', async () => {
    const client = newClient();
    await store.createClient(client);

    await store.init();

    expect(await store.findClient(client.clientId)).toEqual(client);
  });

  test('storage contract: purgeStaleClients deletes clients unused since registration or idle since their last use', async () => {
    const day = 24 * 3600;
    const retention = { usedSeconds: 90 * day, unusedSeconds: 7 * day };
    const neverUsedOld = newClient({ createdAt: T0 - 7 * day });
    const neverUsedNew = newClient({ createdAt: T0 - 7 * day + 1 });
    const usedLongAgo = newClient({ createdAt: T0 - 400 * day });
    const usedRecently = newClient({ createdAt: T0 - 400 * day });
    for (const client of [neverUsedOld, neverUsedNew, usedLongAgo, usedRecently]) {
      await store.createClient(client);
    }
    await store.recordClientUse(usedLongAgo.clientId, T0 - 90 * day);
    await store.recordClientUse(usedRecently.clientId, T0 - 90 * day + 1);
    await store.recordClientUse('no-such-client', T0);

    expect(await store.purgeStaleClients(T0, retention)).toBe(2);

    expect(await store.findClient(neverUsedOld.clientId)).toBeUndefined();
    expect(await store.findClient(usedLongAgo.clientId)).toBeUndefined();
    expect(await store.findClient(neverUsedNew.clientId)).toEqual(neverUsedNew);
    expect(await store.findClient(usedRecently.clientId)).toEqual(usedRecently);
    expect(await store.findClient('no-such-client')).toBeUndefined();
  });

  test('storage contract: purgeStaleClients never deletes a client holding a live grant', async () => {
    const retention = { usedSeconds: 1, unusedSeconds: 1 };
    const longAgo = T0 - 400 * 24 * 3600;
    const storeClientWithGrant = async (
      expiry: { codeExpiresAt: number; accessExpiresAt: number; refreshExpiresAt?: number },
      revoked = false,
    ) => {
      const client = newClient({ createdAt: longAgo });
      await store.createClient(client);
      const grant = newGrant({ clientId: client.clientId, createdAt: longAgo });
      await store.createGrantWithCode(grant, newCode(grant, { expiresAt: expiry.codeExpiresAt }));
      if (expiry.refreshExpiresAt !== undefined) {
        const pair = newTokenPair(grant, expiry);
        await store.saveTokens(pair.access, pair.refresh);
      }
      if (revoked) await store.revokeGrant(grant.grantId, T0 - 60);
      return client;
    };
    const refreshable = await storeClientWithGrant({
      codeExpiresAt: T0 - 60,
      accessExpiresAt: T0 - 60,
      refreshExpiresAt: T0 + 60,
    });
    const pendingCode = await storeClientWithGrant({ codeExpiresAt: T0 + 60, accessExpiresAt: 0 });
    const expired = await storeClientWithGrant({
      codeExpiresAt: T0 - 60,
      accessExpiresAt: T0,
      refreshExpiresAt: T0,
    });
    const revoked = await storeClientWithGrant(
      { codeExpiresAt: T0 - 60, accessExpiresAt: T0 + 60, refreshExpiresAt: T0 + 60 },
      true,
    );
    await store.recordClientUse(refreshable.clientId, longAgo);

    expect(await store.purgeStaleClients(T0, retention)).toBe(2);

    expect(await store.findClient(refreshable.clientId)).toEqual(refreshable);
    expect(await store.findClient(pendingCode.clientId)).toEqual(pendingCode);
    expect(await store.findClient(expired.clientId)).toBeUndefined();
    expect(await store.findClient(revoked.clientId)).toBeUndefined();
  });
});
