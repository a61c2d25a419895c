import type { Config } from '../config.js';
import {
  DuplicateKeyError,
  type AccessToken,
  type AuthorizationCode,
  type CachedClientMetadata,
  type Client,
  type ConsumeCodeResult,
  type Grant,
  type RefreshToken,
  type RotateRefreshInput,
  type RotateRefreshResult,
  type Session,
  type Store,
  type User,
} from './store.js';

interface StoredCode {
  code: AuthorizationCode;
  consumed: boolean;
}

interface RateLimitWindow {
  windowStart: number;
  expiresAt: number;
  hits: number;
}

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
  private readonly grants = new Map<string, Grant>();
  private readonly codes = new Map<string, StoredCode>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly users = new Map<string, User>();
  private readonly userIdsByEmail = new Map<string, string>();
  private readonly sessions = new Map<string, Session>();
  private readonly clientMetadata = new Map<string, CachedClientMetadata>();
  private readonly rateLimits = new Map<string, RateLimitWindow>();

  async init(): Promise<void> {}

  async close(): Promise<void> {}

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
    if (token.rotatedAt === null) {
      this.storeTokenPair(newAccessToken, newRefreshToken);
      token.rotatedAt = now;
      return { status: 'rotated', previous };
    }
    if (now - token.rotatedAt < graceSeconds) {
      this.storeTokenPair(newAccessToken, newRefreshToken);
      return { status: 'grace', previous };
    }
    this.markGrantRevoked(token.grantId, now);
    return { status: 'reused', previous };
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

  async hitRateLimit(key: string, windowSeconds: number, now: number): Promise<number> {
    const windowStart = now - (now % windowSeconds);
    const current = this.rateLimits.get(key);
    if (current && current.windowStart >= windowStart) {
      current.hits += 1;
      return current.hits;
    }
    this.rateLimits.set(key, { windowStart, expiresAt: windowStart + windowSeconds, hits: 1 });
    return 1;
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
    deleteWhere(this.rateLimits, (window) => window.expiresAt <= now);
  }

  private markGrantRevoked(grantId: string, now: number): void {
    const grant = this.grants.get(grantId);
    if (grant && grant.revokedAt === null) grant.revokedAt = now;
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
