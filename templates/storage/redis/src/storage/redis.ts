import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { isNetworkError, reportingOutages } from './outage.js';
import { defineScripts, type RunScript } from './redis-scripts.js';
import {
  DuplicateKeyError,
  type AccessToken,
  type AuthorizationCode,
  type CachedClientMetadata,
  type Client,
  type ClientRetention,
  type ConsumeCodeResult,
  type Grant,
  type RefreshToken,
  type RotateRefreshInput,
  type RotateRefreshResult,
  type Session,
  type Store,
  type StoredCode,
  type User,
} from './store.js';

/*
 * Key layout. Every key starts with REDIS_KEY_PREFIX (default "mcp:"), written P below.
 * Records are JSON; codes, tokens and grants are hashes so scripts can change one field.
 *
 *   P client:<clientId>            string  Client
 *   P client-grants:<clientId>     set     grantIds of the client (some may be gone already)
 *   P clients-unused               zset    clientId -> createdAt of clients never used
 *   P clients-used                 zset    clientId -> when it last used the token endpoint
 *   P user:<userId>                string  User
 *   P user-email:<email>           string  userId (the email index; emails are lowercased)
 *   P grant:<grantId>              hash    record (Grant without revokedAt), revoked_at
 *   P grant-refs:<grantId>         set     names ("code:<hash>", "access:<hash>", "refresh:<hash>") of
 *                                          the grant's codes and tokens, so revoking can find them
 *   P code:<codeHash>              hash    record, grant_id, expires_at, uses
 *   P access:<tokenHash>           hash    record, grant_id, expires_at
 *   P refresh:<tokenHash>          hash    record, grant_id, expires_at, rotated_at, parent_hash,
 *                                          retired_at, children (names of the tokens issued from it)
 *   P session:<sessionHash>        string  Session
 *   P cimd:<url>                   string  CachedClientMetadata
 *   P rate:<seconds>:<start>:<key> string  hits in the window starting at <start>
 *   P expiries                     zset    name -> expiresAt of every expiring key above
 *   P revoked-grants               set     grantIds revoked and not yet purged
 *
 * Every expiring key has a Redis TTL, so Redis deletes it by itself: EXPIRED_KEY_RETENTION_SECONDS
 * after its expiresAt, because a refresh token must stay findable after it expired and a code after
 * it was used. Expiry as the Store interface defines it is decided with the callers' `now`;
 * purgeExpired deletes exactly what expired at `now` (through the expiries index) and the set
 * members that TTLs cannot remove. A grant and its refs set live as long as its longest-lived key.
 */

/** How long Redis keeps a key after its expiresAt when purgeExpired has not deleted it first. */
const EXPIRED_KEY_RETENTION_SECONDS = 3600;

/** How many index entries one purge script handles, so one call never blocks Redis for long. */
const PURGE_BATCH_SIZE = 500;

const MINIMUM_REDIS_MAJOR_VERSION = 7;

/**
 * Redis through ioredis, so any number of server instances can share one Redis. Every read-then-write
 * decision (consume a code, rotate a refresh token, revoke a grant) is one Lua script
 * (see redis-scripts.ts), which Redis runs atomically.
 */
export function createStore(config: Config): Store {
  return reportingOutages(new RedisStore(config.redisUrl, config.redisKeyPrefix), isOutage);
}

/** How long connecting and one command may take before the request answers 503. */
const CONNECT_TIMEOUT_MS = 1000;
const COMMAND_TIMEOUT_MS = 1000;

/** ioredis's own messages for a command that could not be sent or answered (ReplyErrors are Redis's answers). */
const CONNECTION_FAILURE =
  /^(Connection is closed|Stream isn't writeable|Command timed out|Reached the max retries per request limit)/;

function isOutage(error: unknown): boolean {
  return (
    isNetworkError(error) || (error instanceof Error && CONNECTION_FAILURE.test(error.message))
  );
}

class RedisStore implements Store {
  private readonly redis: Redis;
  private readonly run: RunScript;
  private readonly expiriesKey: string;
  private initialised = false;
  private lastError: string | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
  ) {
    this.expiriesKey = `${prefix}expiries`;
    this.redis = new Redis(redisUrl, {
      lazyConnect: true,
      // While Redis is unreachable a command fails at once (503) instead of queueing until it is back;
      // ioredis keeps reconnecting in the background, so the server recovers by itself.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
    });
    // ioredis reconnects by itself and reports each failed attempt: after init, say it once per outage.
    this.redis.on('error', (error: Error) => {
      if (this.initialised && error.message !== this.lastError)
        console.error(`Redis: ${error.message}`);
      this.lastError = error.message;
    });
    this.redis.on('ready', () => {
      this.lastError = undefined;
    });
    this.run = defineScripts(this.redis);
  }

  async init(): Promise<void> {
    if (this.redis.status === 'wait') {
      try {
        await this.redis.connect();
        await this.redis.ping();
      } catch (error) {
        this.redis.disconnect();
        // The connection error itself (ECONNREFUSED, NOAUTH, ...) says more than "Connection is closed".
        const reason = this.lastError ?? messageOf(error);
        throw new Error(
          `Cannot connect to Redis at ${describeServer(this.redisUrl)} (REDIS_URL): ${reason}`,
        );
      }
    }
    const version = /^redis_version:(\d+)/m.exec(await this.redis.info('server'))?.[1];
    if (version !== undefined && Number(version) < MINIMUM_REDIS_MAJOR_VERSION) {
      throw new Error(
        `This server needs Redis ${MINIMUM_REDIS_MAJOR_VERSION} or newer; REDIS_URL runs ${version}`,
      );
    }
    this.initialised = true;
  }

  async close(): Promise<void> {
    if (this.redis.status === 'ready') {
      // A Redis that stopped answering cannot say goodbye: drop the connection instead.
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect();
    }
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async createClient(client: Client): Promise<void> {
    const stored = await this.redis.set(
      this.key('client', client.clientId),
      JSON.stringify(client),
      'NX',
    );
    if (stored === null) throw new DuplicateKeyError('client');
    // Until its first use the client is a candidate for the unused-client purge (quirk client-retention).
    await this.redis.zadd(`${this.prefix}clients-unused`, client.createdAt, client.clientId);
  }

  async findClient(clientId: string): Promise<Client | undefined> {
    return parse<Client>(await this.redis.get(this.key('client', clientId)));
  }

  async createGrantWithCode(grant: Grant, code: AuthorizationCode): Promise<void> {
    const { revokedAt, ...grantRecord } = grant;
    const duplicate = await this.run(
      'createGrantWithCode',
      this.prefix,
      grant.grantId,
      JSON.stringify(grantRecord),
      revokedAt ?? '',
      `code:${code.codeHash}`,
      JSON.stringify(code),
      code.expiresAt,
      ttlUntil(code.expiresAt),
    );
    if (typeof duplicate === 'string') throw new DuplicateKeyError(duplicate);
  }

  async findCode(codeHash: string): Promise<StoredCode | undefined> {
    const [record, uses] = await this.redis.hmget(this.key('code', codeHash), 'record', 'uses');
    if (!record) return undefined;
    return { code: JSON.parse(record) as AuthorizationCode, consumed: Number(uses) > 0 };
  }

  async consumeCode(codeHash: string): Promise<ConsumeCodeResult> {
    const found = (await this.run('consumeCode', this.prefix, `code:${codeHash}`)) as
      [string, number] | null;
    if (!found) return { status: 'not_found' };
    const [record, uses] = found;
    const code = JSON.parse(record) as AuthorizationCode;
    return uses === 1 ? { status: 'consumed', code } : { status: 'replayed', code };
  }

  async saveTokens(access: AccessToken, refresh: RefreshToken): Promise<void> {
    const duplicate = await this.run(
      'saveTokens',
      this.prefix,
      ...tokenPairArguments(access, refresh),
    );
    if (typeof duplicate === 'string') throw new DuplicateKeyError(duplicate);
  }

  async findGrant(grantId: string): Promise<Grant | undefined> {
    const fields = await this.redis.hgetall(this.key('grant', grantId));
    if (fields.record === undefined) return undefined;
    const record = JSON.parse(fields.record) as Omit<Grant, 'revokedAt'>;
    return {
      ...record,
      revokedAt: fields.revoked_at === undefined ? null : Number(fields.revoked_at),
    };
  }

  async revokeGrant(grantId: string, now: number): Promise<void> {
    await this.run('revokeGrant', this.prefix, grantId, now);
  }

  async findAccessToken(tokenHash: string, now: number): Promise<AccessToken | undefined> {
    const found = (await this.run('findLiveToken', this.prefix, `access:${tokenHash}`, now)) as
      [string, string] | null;
    return found ? (JSON.parse(found[0]) as AccessToken) : undefined;
  }

  async revokeAccessToken(tokenHash: string): Promise<void> {
    await this.run('revokeAccessToken', this.prefix, `access:${tokenHash}`);
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshToken | undefined> {
    const found = (await this.run(
      'findLiveToken',
      this.prefix,
      `refresh:${tokenHash}`,
      '',
    )) as StoredRefreshFields | null;
    return found ? refreshTokenFrom(found) : undefined;
  }

  async rotateRefreshToken(input: RotateRefreshInput): Promise<RotateRefreshResult> {
    const { oldTokenHash, newAccessToken, newRefreshToken, now, graceSeconds } = input;
    const [status, ...fields] = (await this.run(
      'rotateRefreshToken',
      this.prefix,
      `refresh:${oldTokenHash}`,
      now,
      graceSeconds,
      ...tokenPairArguments(newAccessToken, newRefreshToken),
    )) as [string, ...string[]];
    switch (status) {
      case 'invalid':
        return { status: 'invalid' };
      case 'duplicate':
        throw new DuplicateKeyError(fields[0] ?? 'token');
      case 'rotated':
      case 'grace':
      case 'reused':
        return { status, previous: refreshTokenFrom(fields as StoredRefreshFields) };
      default:
        throw new Error(`unexpected answer from the rotateRefreshToken script: ${status}`);
    }
  }

  async retireRefreshToken(tokenHash: string, now: number): Promise<void> {
    await this.run('retireRefreshToken', this.prefix, `refresh:${tokenHash}`, now);
  }

  async createUser(user: User): Promise<void> {
    const email = user.email.toLowerCase();
    const duplicate = await this.run(
      'createUser',
      this.prefix,
      user.userId,
      email,
      JSON.stringify({ ...user, email }),
    );
    if (typeof duplicate === 'string') throw new DuplicateKeyError(duplicate);
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    const userId = await this.redis.get(this.key('user-email', email.toLowerCase()));
    return userId === null ? undefined : this.findUserById(userId);
  }

  async findUserById(userId: string): Promise<User | undefined> {
    return parse<User>(await this.redis.get(this.key('user', userId)));
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.run('setPasswordHash', this.prefix, userId, passwordHash);
  }

  async createSession(session: Session): Promise<void> {
    const name = `session:${session.sessionHash}`;
    const ttl = ttlUntil(session.expiresAt);
    const stored = await this.redis.set(
      this.prefix + name,
      JSON.stringify(session),
      'EX',
      ttl,
      'NX',
    );
    if (stored === null) throw new DuplicateKeyError('session');
    await this.redis.zadd(this.expiriesKey, session.expiresAt, name);
  }

  async findSession(sessionHash: string, now: number): Promise<Session | undefined> {
    const session = parse<Session>(await this.redis.get(this.key('session', sessionHash)));
    return session && session.expiresAt > now ? session : undefined;
  }

  async deleteSession(sessionHash: string): Promise<void> {
    const name = `session:${sessionHash}`;
    await this.redis
      .multi()
      .del(this.prefix + name)
      .zrem(this.expiriesKey, name)
      .exec();
  }

  async getCachedClientMetadata(
    url: string,
    now: number,
  ): Promise<CachedClientMetadata | undefined> {
    const entry = parse<CachedClientMetadata>(await this.redis.get(this.key('cimd', url)));
    return entry && entry.expiresAt > now ? entry : undefined;
  }

  async putCachedClientMetadata(entry: CachedClientMetadata): Promise<void> {
    const name = `cimd:${entry.url}`;
    await this.redis
      .multi()
      .set(this.prefix + name, JSON.stringify(entry), 'EX', ttlUntil(entry.expiresAt))
      .zadd(this.expiriesKey, entry.expiresAt, name)
      .exec();
  }

  async hitRateLimit(key: string, windowSeconds: number, now: number, hits = 1): Promise<number> {
    const windowStart = now - (now % windowSeconds);
    const windowEnd = windowStart + windowSeconds;
    // One counter per window: a hit in a later window lands on a new key and starts over.
    const name = `rate:${windowSeconds}:${windowStart}:${key}`;
    const results = await this.redis
      .multi()
      .incrby(this.prefix + name, hits)
      .expire(this.prefix + name, ttlUntil(windowEnd), 'NX')
      .zadd(this.expiriesKey, 'NX', windowEnd, name)
      .exec();
    const [error, total] = results?.[0] ?? [
      new Error('the rate-limit transaction was aborted'),
      null,
    ];
    if (error) throw error;
    return total as number;
  }

  async purgeExpired(now: number): Promise<void> {
    while ((await this.run('purgeExpired', this.prefix, now, PURGE_BATCH_SIZE)) === 1) {
      // A full batch: there may be more.
    }
  }

  async recordClientUse(clientId: string, now: number): Promise<void> {
    await this.run('recordClientUse', this.prefix, clientId, now);
  }

  async purgeStaleClients(now: number, retention: ClientRetention): Promise<number> {
    return (await this.run(
      'purgeStaleClients',
      this.prefix,
      now,
      now - retention.usedSeconds,
      now - retention.unusedSeconds,
    )) as number;
  }

  private key(kind: string, id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }
}

/** A TTL for a key that expires at `expiresAt`, counted from this machine's clock. */
function ttlUntil(expiresAt: number): number {
  const now = Math.floor(Date.now() / 1000);
  return Math.max(expiresAt - now, 0) + EXPIRED_KEY_RETENTION_SECONDS;
}

/** The arguments storeTokenPair (redis-scripts.ts) reads. */
function tokenPairArguments(access: AccessToken, refresh: RefreshToken): Array<string | number> {
  // What can change, and the parent the scripts read, are hash fields beside the record.
  const { rotatedAt: _rotatedAt, parentHash, retiredAt: _retiredAt, ...refreshRecord } = refresh;
  return [
    `access:${access.tokenHash}`,
    JSON.stringify(access),
    access.expiresAt,
    ttlUntil(access.expiresAt),
    `refresh:${refresh.tokenHash}`,
    JSON.stringify(refreshRecord),
    refresh.expiresAt,
    ttlUntil(refresh.expiresAt),
    access.grantId,
    parentHash ?? '',
  ];
}

/** record, rotated_at, parent_hash, retired_at of a refresh token hash, '' for a missing field. */
type StoredRefreshFields = [string, string, string, string];

function refreshTokenFrom([
  record,
  rotatedAt,
  parentHash,
  retiredAt,
]: StoredRefreshFields): RefreshToken {
  return {
    ...(JSON.parse(record) as Omit<RefreshToken, 'rotatedAt' | 'parentHash' | 'retiredAt'>),
    rotatedAt: rotatedAt === '' ? null : Number(rotatedAt),
    parentHash: parentHash === '' ? null : parentHash,
    retiredAt: retiredAt === '' ? null : Number(retiredAt),
  };
}

function parse<T>(json: string | null): T | undefined {
  return json === null ? undefined : (JSON.parse(json) as T);
}

/** host:port/db from REDIS_URL, without the credentials. */
function describeServer(redisUrl: string): string {
  try {
    const url = new URL(redisUrl);
    return `${url.hostname}:${url.port || '6379'}${url.pathname.length > 1 ? url.pathname : ''}`;
  } catch {
    return 'the configured address';
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}
