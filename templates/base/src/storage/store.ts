/**
 * Everything the authorization server persists. Each storage kind implements this once;
 * test/storage-contract.test.ts holds every implementation to the same behaviour.
 *
 * Times are Unix epoch seconds, always passed in by the caller (stores never read the clock);
 * something with `expiresAt` is live at `now` while `expiresAt > now`. Secrets (tokens, codes,
 * client secrets, session ids) are never stored: callers pass their SHA-256 hashes (see
 * src/oauth/crypto.ts). Every create* / save* method throws DuplicateKeyError for a key that
 * is already stored, and then stores nothing.
 */

export type TokenEndpointAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'none';

export interface Client {
  clientId: string;
  /** Null for public clients (token_endpoint_auth_method "none"). */
  clientSecretHash: string | null;
  clientName: string | null;
  redirectUris: string[];
  grantTypes: string[];
  responseTypes: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Other registration metadata echoed back to the client (client_uri, logo_uri, application_type, ...). */
  metadata: Record<string, unknown>;
  createdAt: number;
}

export interface AuthorizationCode {
  codeHash: string;
  /** The grant created with this code; a replayed code revokes it. */
  grantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  resource: string;
  expiresAt: number;
}

export interface Grant {
  grantId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  resource: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface AccessToken {
  tokenHash: string;
  grantId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  resource: string;
  expiresAt: number;
}

export interface RefreshToken {
  tokenHash: string;
  grantId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  resource: string;
  /** The grant's end: every refresh token of a grant expires when the first one did (rotation never extends it). */
  expiresAt: number;
  /** When this token was first exchanged for a new pair; null until then. */
  rotatedAt: number | null;
  /**
   * The refresh token this one was issued from (its hash); null for the first one of a grant.
   * Tokens issued from one parent are siblings (quirk refresh-rotation).
   */
  parentHash: string | null;
  /**
   * When this token stopped being usable: a sibling or successor was used first, or the client
   * revoked it after it was rotated out. Presenting it afterwards is reuse. Null while usable.
   */
  retiredAt: number | null;
}

export interface User {
  userId: string;
  /** The store lowercases it on write and lookup; unique. */
  email: string;
  passwordHash: string;
  createdAt: number;
}

export interface Session {
  sessionHash: string;
  userId: string;
  expiresAt: number;
}

export interface CachedClientMetadata {
  url: string;
  document: Record<string, unknown>;
  expiresAt: number;
}

/** What consumeCode found. `replayed` means the code had been redeemed before (RFC 6749 §4.1.2). */
export type ConsumeCodeResult =
  | { status: 'consumed'; code: AuthorizationCode }
  | { status: 'replayed'; code: AuthorizationCode }
  | { status: 'not_found' };

/** A stored code and whether it has been redeemed. */
export interface StoredCode {
  code: AuthorizationCode;
  consumed: boolean;
}

/**
 * What rotateRefreshToken did, decided atomically. `previous` is the old token as it was
 * before this call. The new pair is always stored as a child of the old token
 * (newRefreshToken.parentHash is oldTokenHash).
 *
 * - rotated: first use of the token; it is now marked rotated, its parent and every sibling are
 *            retired (their access tokens keep working until they expire), the new pair is stored
 * - grace:   the token was rotated less than graceSeconds ago and none of its children has been
 *            used yet; the new pair is stored as one more child (a sibling of the earlier ones)
 * - reused:  the token is retired, or was rotated graceSeconds ago or longer; the whole grant is
 *            now revoked, nothing stored
 * - invalid: unknown, expired, or its grant is revoked; nothing stored
 */
export type RotateRefreshResult =
  | { status: 'rotated' | 'grace'; previous: RefreshToken }
  | { status: 'reused'; previous: RefreshToken }
  | { status: 'invalid' };

export interface RotateRefreshInput {
  oldTokenHash: string;
  newRefreshToken: RefreshToken;
  newAccessToken: AccessToken;
  now: number;
  graceSeconds: number;
}

export interface Store {
  /** Creates or migrates the schema; safe to call on every start. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** One cheap round trip to the storage (readiness); throws when it does not answer. */
  ping(): Promise<void>;

  createClient(client: Client): Promise<void>;
  findClient(clientId: string): Promise<Client | undefined>;

  /** Stores a new grant and its first authorization code together. */
  createGrantWithCode(grant: Grant, code: AuthorizationCode): Promise<void>;
  /** The code as stored, redeemed or not, so the caller can check its bindings before consuming it. */
  findCode(codeHash: string): Promise<StoredCode | undefined>;
  /** Atomically marks the code used. Expiry is the caller's check; a used code stays findable for replay detection. */
  consumeCode(codeHash: string): Promise<ConsumeCodeResult>;
  /** Stores the first token pair of a grant (after a code exchange). */
  saveTokens(access: AccessToken, refresh: RefreshToken): Promise<void>;
  findGrant(grantId: string): Promise<Grant | undefined>;
  /** Revokes the grant: every access and refresh token of it stops working. Idempotent. */
  revokeGrant(grantId: string, now: number): Promise<void>;

  /** The token if it exists, is not expired at `now`, and its grant is not revoked. */
  findAccessToken(tokenHash: string, now: number): Promise<AccessToken | undefined>;
  revokeAccessToken(tokenHash: string): Promise<void>;
  /** The token as stored (expired or rotated included) when its grant is not revoked. */
  findRefreshToken(tokenHash: string): Promise<RefreshToken | undefined>;
  rotateRefreshToken(input: RotateRefreshInput): Promise<RotateRefreshResult>;
  /**
   * Retires this one refresh token (a client revoking a token it has rotated out): the grant and
   * its other tokens are untouched. Idempotent; unknown tokens are ignored.
   */
  retireRefreshToken(tokenHash: string, now: number): Promise<void>;

  createUser(user: User): Promise<void>;
  findUserByEmail(email: string): Promise<User | undefined>;
  findUserById(userId: string): Promise<User | undefined>;
  /** Replaces the user's password hash (a stronger hash after login, a new password). Unknown ids are ignored. */
  setPasswordHash(userId: string, passwordHash: string): Promise<void>;

  createSession(session: Session): Promise<void>;
  /** The session if it exists and has not expired at `now`. */
  findSession(sessionHash: string, now: number): Promise<Session | undefined>;
  deleteSession(sessionHash: string): Promise<void>;

  getCachedClientMetadata(url: string, now: number): Promise<CachedClientMetadata | undefined>;
  putCachedClientMetadata(entry: CachedClientMetadata): Promise<void>;

  /**
   * Adds `hits` (1 when omitted; 0 only reads) to `key` in the fixed window containing `now`
   * (windows start at multiples of windowSeconds); returns the hits in that window so far. A hit
   * in a later window starts over. Only stores that several server processes share over the
   * network (PostgreSQL, Redis) count rate limits; without this method the server counts them in
   * its own memory (src/oauth/rate-limit.ts).
   */
  hitRateLimit?(key: string, windowSeconds: number, now: number, hits?: number): Promise<number>;

  /**
   * Deletes expired codes, tokens, sessions, cache entries and rate-limit windows, the codes and
   * tokens of revoked grants, and then every grant no code or token refers to any more.
   * Clients and users are never purged.
   */
  purgeExpired(now: number): Promise<void>;

  /**
   * Records that the client was used at `now` (it authenticated at the token endpoint). May skip
   * the write while the recorded use is less than CLIENT_USE_RESOLUTION_SECONDS old, so a burst
   * of refreshes writes once. Unknown ids are ignored.
   */
  recordClientUse(clientId: string, now: number): Promise<void>;
  /**
   * Deletes every registered client that holds no live grant (one not revoked with a code or
   * token not expired at `now`) and was last used at or before `now - retention.usedSeconds`, or,
   * never used, registered at or before `now - retention.unusedSeconds` (quirk client-retention).
   * Returns how many it deleted.
   */
  purgeStaleClients(now: number, retention: ClientRetention): Promise<number>;
}

/** How long registered clients without a live grant are kept (CLIENT_RETENTION_DAYS, UNUSED_CLIENT_RETENTION_DAYS). */
export interface ClientRetention {
  /** After the client's last use. */
  usedSeconds: number;
  /** After registration, for a client never used. */
  unusedSeconds: number;
}

/** The resolution of a client's recorded last use: one write per client per hour at most. */
export const CLIENT_USE_RESOLUTION_SECONDS = 3600;

/**
 * Where a refresh token stands at `now` (quirk refresh-rotation), the one rule every store applies:
 * `current` until its first use, then `grace` for graceSeconds while none of its children has been
 * used (that use retires it), and `retired` after that, or once retired explicitly.
 */
export function refreshTokenStanding(
  token: RefreshToken,
  now: number,
  graceSeconds: number,
): 'current' | 'grace' | 'retired' {
  if (token.retiredAt !== null) return 'retired';
  if (token.rotatedAt === null) return 'current';
  return now - token.rotatedAt < graceSeconds ? 'grace' : 'retired';
}

/** Thrown by stores for duplicate keys (client id, user email) so callers can answer without a 500. */
export class DuplicateKeyError extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = 'DuplicateKeyError';
  }
}

/**
 * Thrown by stores whose storage server cannot be reached in time (refused, reset, timed out), so the
 * server answers 503 with Retry-After instead of a 500, and recovers once the storage is back.
 */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the store is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'StoreUnavailableError';
  }
}
