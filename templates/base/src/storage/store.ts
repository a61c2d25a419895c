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
  expiresAt: number;
  /** When this token was first exchanged for a new pair; null while it is the current one. */
  rotatedAt: number | null;
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

/**
 * What rotateRefreshToken did, decided atomically. `previous` is the old token as it was
 * before this call.
 *
 * - rotated: the token was current; it is now marked rotated and the new pair is stored
 * - grace:   the token was rotated less than graceSeconds ago; a further new pair is stored
 * - reused:  the token was rotated longer ago; the whole grant is now revoked, nothing stored
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

  createClient(client: Client): Promise<void>;
  findClient(clientId: string): Promise<Client | undefined>;

  /** Stores a new grant and its first authorization code together. */
  createGrantWithCode(grant: Grant, code: AuthorizationCode): Promise<void>;
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

  createUser(user: User): Promise<void>;
  findUserByEmail(email: string): Promise<User | undefined>;
  findUserById(userId: string): Promise<User | undefined>;

  createSession(session: Session): Promise<void>;
  /** The session if it exists and has not expired at `now`. */
  findSession(sessionHash: string, now: number): Promise<Session | undefined>;
  deleteSession(sessionHash: string): Promise<void>;

  getCachedClientMetadata(url: string, now: number): Promise<CachedClientMetadata | undefined>;
  putCachedClientMetadata(entry: CachedClientMetadata): Promise<void>;

  /**
   * Counts one hit on `key` in the fixed window containing `now` (windows start at multiples of
   * windowSeconds); returns the hits in that window so far. A hit in a later window starts over at 1.
   */
  hitRateLimit(key: string, windowSeconds: number, now: number): Promise<number>;

  /**
   * Deletes expired codes, tokens, sessions, cache entries and rate-limit windows, the codes and
   * tokens of revoked grants, and then every grant no code or token refers to any more.
   * Clients and users are never purged.
   */
  purgeExpired(now: number): Promise<void>;
}

/** Thrown by stores for duplicate keys (client id, user email) so callers can answer without a 500. */
export class DuplicateKeyError extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = 'DuplicateKeyError';
  }
}
