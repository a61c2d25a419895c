import type { Config } from '../config.js';
import {
  CLIENT_USE_RESOLUTION_SECONDS,
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
  refreshTokenStanding,
} from './store.js';

/**
 * Keeps everything in this process's memory: a restart forgets every client, grant and account,
 * and two processes share nothing. Meant for tests and demos.
 *
 * No method awaits anything between reading and writing, so calls running concurrently on the
 * event loop cannot interleave inside one: consumeCode and rotateRefreshToken are atomic as they
 * are. Values are copied in and out so a caller mutating an object cannot change stored state.
 */
export function createStore(_config: Config): Store {
  return new MemoryStore();
}

class MemoryStore implements Store {
  private readonly clients = new Map<string, Client>();
  /** Client id → when it last authenticated at the token endpoint (quirk client-retention). */
  private readonly clientLastUsedAt = new Map<string, number>();
  private readonly grants = new Map<string, Grant>();
  private readonly codes = new Map<string, StoredCode>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly users = new Map<string, User>();
  private readonly userIdsByEmail = new Map<string, string>();
  private readonly sessions = new Map<string, Session>();
  private readonly clientMetadata = new Map<string, CachedClientMetadata>();

  async init(): Promise<void> {}

  async close(): Promise<void> {}

  async ping(): Promise<void> {}

  async createClient(client: Client): Promise<void> {
    if (this.clients.has(client.clientId)) throw new DuplicateKeyError('client');
    this.clients.set(client.clientId, copy(client));
  }

  async findClient(clientId: string): Promise<Client | undefined> {
    return copy(this.clients.get(clientId));
  }

  async createGrantWithCode(grant: Grant, code: AuthorizationCode): Promise<void> {
    if (this.grants.has(grant.grantId)) throw new DuplicateKeyError('grant');
    if (this.codes.has(code.codeHash)) throw new DuplicateKeyError('authorization code');
    this.grants.set(grant.grantId, copy(grant));
    this.codes.set(code.codeHash, { code: copy(code), consumed: false });
  }

  async findCode(codeHash: string): Promise<StoredCode | undefined> {
    return copy(this.codes.get(codeHash));
  }

  async consumeCode(codeHash: string): Promise<ConsumeCodeResult> {
    const stored = this.codes.get(codeHash);
    if (!stored) return { status: 'not_found' };
    if (stored.consumed) return { status: 'replayed', code: copy(stored.code) };
    stored.consumed = true;
    return { status: 'consumed', code: copy(stored.code) };
  }

  async saveTokens(access: AccessToken, refresh: RefreshToken): Promise<void> {
    this.storeTokenPair(access, refresh);
  }

  async findGrant(grantId: string): Promise<Grant | undefined> {
    return copy(this.grants.get(grantId));
  }

  async revokeGrant(grantId: string, now: number): Promise<void> {
    this.markGrantRevoked(grantId, now);
  }

  async findAccessToken(tokenHash: string, now: number): Promise<AccessToken | undefined> {
    const token = this.accessTokens.get(tokenHash);
    if (!token || token.expiresAt <= now || !this.isLiveGrant(token.grantId)) return undefined;
    return copy(token);
  }

  async revokeAccessToken(tokenHash: string): Promise<void> {
    this.accessTokens.delete(tokenHash);
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshToken | undefined> {
    const token = this.refreshTokens.get(tokenHash);
    if (!token || !this.isLiveGrant(token.grantId)) return undefined;
    return copy(token);
  }

  async rotateRefreshToken(input: RotateRefreshInput): Promise<RotateRefreshResult> {
    const { oldTokenHash, newAccessToken, newRefreshToken, now, graceSeconds } = input;
    const token = this.refreshTokens.get(oldTokenHash);
    if (!token || token.expiresAt <= now || !this.isLiveGrant(token.grantId)) {
      return { status: 'invalid' };
    }
    const previous = copy(token);
    const standing = refreshTokenStanding(token, now, graceSeconds);
    if (standing === 'retired') {
      this.markGrantRevoked(token.grantId, now);
      return { status: 'reused', previous };
    }
    this.storeTokenPair(newAccessToken, newRefreshToken);
    if (standing === 'grace') return { status: 'grace', previous };
    token.rotatedAt = now;
    if (token.parentHash !== null) this.retireFamily(token.parentHash, oldTokenHash, now);
    return { status: 'rotated', previous };
  }

  async retireRefreshToken(tokenHash: string, now: number): Promise<void> {
    const token = this.refreshTokens.get(tokenHash);
    if (token && token.retiredAt === null) token.retiredAt = now;
  }

  async createUser(user: User): Promise<void> {
    const email = user.email.toLowerCase();
    if (this.users.has(user.userId) || this.userIdsByEmail.has(email)) {
      throw new DuplicateKeyError('user');
    }
    this.users.set(user.userId, { ...copy(user), email });
    this.userIdsByEmail.set(email, user.userId);
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    const userId = this.userIdsByEmail.get(email.toLowerCase());
    return userId === undefined ? undefined : copy(this.users.get(userId));
  }

  async findUserById(userId: string): Promise<User | undefined> {
    return copy(this.users.get(userId));
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    const user = this.users.get(userId);
    if (user) user.passwordHash = passwordHash;
  }

  async createSession(session: Session): Promise<void> {
    if (this.sessions.has(session.sessionHash)) throw new DuplicateKeyError('session');
    this.sessions.set(session.sessionHash, copy(session));
  }

  async findSession(sessionHash: string, now: number): Promise<Session | undefined> {
    const session = this.sessions.get(sessionHash);
    return session && session.expiresAt > now ? copy(session) : undefined;
  }

  async deleteSession(sessionHash: string): Promise<void> {
    this.sessions.delete(sessionHash);
  }

  async getCachedClientMetadata(
    url: string,
    now: number,
  ): Promise<CachedClientMetadata | undefined> {
    const entry = this.clientMetadata.get(url);
    return entry && entry.expiresAt > now ? copy(entry) : undefined;
  }

  async putCachedClientMetadata(entry: CachedClientMetadata): Promise<void> {
    this.clientMetadata.set(entry.url, copy(entry));
  }

  async purgeExpired(now: number): Promise<void> {
    const isDead = (token: { expiresAt: number; grantId: string }) =>
      token.expiresAt <= now || !this.isLiveGrant(token.grantId);
    deleteWhere(this.codes, ({ code }) => isDead(code));
    deleteWhere(this.accessTokens, isDead);
    deleteWhere(this.refreshTokens, isDead);

    const referencedGrantIds = new Set<string>();
    for (const { code } of this.codes.values()) referencedGrantIds.add(code.grantId);
    for (const token of this.accessTokens.values()) referencedGrantIds.add(token.grantId);
    for (const token of this.refreshTokens.values()) referencedGrantIds.add(token.grantId);
    deleteWhere(this.grants, (grant) => !referencedGrantIds.has(grant.grantId));

    deleteWhere(this.sessions, (session) => session.expiresAt <= now);
    deleteWhere(this.clientMetadata, (entry) => entry.expiresAt <= now);
  }

  async recordClientUse(clientId: string, now: number): Promise<void> {
    const last = this.clientLastUsedAt.get(clientId);
    if (
      !this.clients.has(clientId) ||
      (last !== undefined && now - last < CLIENT_USE_RESOLUTION_SECONDS)
    )
      return;
    this.clientLastUsedAt.set(clientId, now);
  }

  async purgeStaleClients(now: number, retention: ClientRetention): Promise<number> {
    const holdingLiveGrant = new Set<string>();
    const live = (item: { expiresAt: number; grantId: string }) =>
      item.expiresAt > now && this.isLiveGrant(item.grantId);
    for (const { code } of this.codes.values()) if (live(code)) holdingLiveGrant.add(code.clientId);
    for (const token of this.accessTokens.values())
      if (live(token)) holdingLiveGrant.add(token.clientId);
    for (const token of this.refreshTokens.values())
      if (live(token)) holdingLiveGrant.add(token.clientId);
    let purged = 0;
    for (const client of this.clients.values()) {
      if (holdingLiveGrant.has(client.clientId)) continue;
      const lastUsedAt = this.clientLastUsedAt.get(client.clientId);
      const stale =
        lastUsedAt === undefined
          ? client.createdAt <= now - retention.unusedSeconds
          : lastUsedAt <= now - retention.usedSeconds;
      if (!stale) continue;
      this.clients.delete(client.clientId);
      this.clientLastUsedAt.delete(client.clientId);
      purged += 1;
    }
    return purged;
  }

  private markGrantRevoked(grantId: string, now: number): void {
    const grant = this.grants.get(grantId);
    if (grant && grant.revokedAt === null) grant.revokedAt = now;
  }

  /** Retires the parent and every child of it except the survivor (a scan: demo-sized data). */
  private retireFamily(parentHash: string, survivorHash: string, now: number): void {
    for (const [tokenHash, token] of this.refreshTokens) {
      const inFamily = tokenHash === parentHash || token.parentHash === parentHash;
      if (inFamily && tokenHash !== survivorHash && token.retiredAt === null) token.retiredAt = now;
    }
  }

  private isLiveGrant(grantId: string): boolean {
    const grant = this.grants.get(grantId);
    return grant !== undefined && grant.revokedAt === null;
  }

  /** Checks both keys before writing either, so a duplicate leaves nothing half-stored. */
  private storeTokenPair(access: AccessToken, refresh: RefreshToken): void {
    if (this.accessTokens.has(access.tokenHash)) throw new DuplicateKeyError('access token');
    if (this.refreshTokens.has(refresh.tokenHash)) throw new DuplicateKeyError('refresh token');
    this.accessTokens.set(access.tokenHash, copy(access));
    this.refreshTokens.set(refresh.tokenHash, copy(refresh));
  }
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

function deleteWhere<V>(map: Map<string, V>, isExpired: (value: V) => boolean): void {
  for (const [key, value] of map) {
    if (isExpired(value)) map.delete(key);
  }
}
