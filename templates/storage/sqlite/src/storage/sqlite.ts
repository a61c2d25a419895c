import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'libsql';
import { ConfigError, type Config } from '../config.js';
import { migrate } from './sqlite-schema.js';
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
  type TokenEndpointAuthMethod,
  type User,
  refreshTokenStanding,
} from './store.js';

/** How long a write waits for another connection's transaction to finish before giving up. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * SQLite through libsql, which has the better-sqlite3 API and installs from prebuilt binaries.
 * Queries run synchronously; consumeCode and rotateRefreshToken read and write inside one
 * BEGIN IMMEDIATE transaction, which takes the file's write lock before reading, so two
 * processes sharing the file can never both redeem a code or both rotate a token.
 */
export function createStore(config: Config): Store {
  return new SqliteStore(databaseFile(config.databaseUrl));
}

/** DATABASE_URL is a file path, a file: URL or :memory:. */
export function databaseFile(databaseUrl: string): string {
  if (databaseUrl.startsWith('file://')) return fileURLToPath(databaseUrl);
  if (databaseUrl.startsWith('file:')) return databaseUrl.slice('file:'.length);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl)) {
    throw new ConfigError(
      `DATABASE_URL must be a SQLite file path such as ./data/mcp-oauth.db, got "${databaseUrl}"`,
    );
  }
  return databaseUrl;
}

class SqliteStore implements Store {
  private open: Connection | undefined;

  constructor(private readonly filename: string) {}

  private get connection(): Connection {
    if (!this.open) throw new Error('The SQLite store is used before init() or after close()');
    return this.open;
  }

  async init(): Promise<void> {
    this.open ??= openConnection(this.filename);
  }

  async close(): Promise<void> {
    this.open?.db.close();
    this.open = undefined;
  }

  async ping(): Promise<void> {
    this.connection.db.prepare('SELECT 1').get();
  }

  async createClient(client: Client): Promise<void> {
    insertOnce('client', () => this.connection.statements.insertClient.run(toClientRow(client)));
  }

  async findClient(clientId: string): Promise<Client | undefined> {
    const row = this.connection.statements.findClient.get(clientId) as ClientRow | undefined;
    return row && fromClientRow(row);
  }

  async createGrantWithCode(grant: Grant, code: AuthorizationCode): Promise<void> {
    insertOnce('grant or authorization code', () =>
      this.connection.createGrantWithCode.immediate(grant, code),
    );
  }

  async findCode(codeHash: string): Promise<StoredCode | undefined> {
    const row = this.connection.statements.findCode.get(codeHash) as CodeRow | undefined;
    return row && { code: fromCodeRow(row), consumed: row.consumed === 1 };
  }

  async consumeCode(codeHash: string): Promise<ConsumeCodeResult> {
    return this.connection.consumeCode.immediate(codeHash);
  }

  async saveTokens(access: AccessToken, refresh: RefreshToken): Promise<void> {
    insertOnce('token', () => this.connection.saveTokens.immediate(access, refresh));
  }

  async findGrant(grantId: string): Promise<Grant | undefined> {
    const row = this.connection.statements.findGrant.get(grantId) as GrantRow | undefined;
    return row && fromGrantRow(row);
  }

  async revokeGrant(grantId: string, now: number): Promise<void> {
    this.connection.statements.revokeGrant.run({ grant_id: grantId, now });
  }

  async findAccessToken(tokenHash: string, now: number): Promise<AccessToken | undefined> {
    const { findLiveAccessToken } = this.connection.statements;
    const row = findLiveAccessToken.get({ token_hash: tokenHash, now }) as
      AccessTokenRow | undefined;
    return row && fromAccessTokenRow(row);
  }

  async revokeAccessToken(tokenHash: string): Promise<void> {
    this.connection.statements.deleteAccessToken.run(tokenHash);
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshToken | undefined> {
    const { findRefreshTokenOfLiveGrant } = this.connection.statements;
    const row = findRefreshTokenOfLiveGrant.get(tokenHash) as RefreshTokenRow | undefined;
    return row && fromRefreshTokenRow(row);
  }

  async rotateRefreshToken(input: RotateRefreshInput): Promise<RotateRefreshResult> {
    return insertOnce('token', () => this.connection.rotateRefreshToken.immediate(input));
  }

  async retireRefreshToken(tokenHash: string, now: number): Promise<void> {
    this.connection.statements.retireRefreshToken.run({ token_hash: tokenHash, now });
  }

  async createUser(user: User): Promise<void> {
    insertOnce('user', () => this.connection.statements.insertUser.run(toUserRow(user)));
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    const { findUserByEmail } = this.connection.statements;
    const row = findUserByEmail.get(email.toLowerCase()) as UserRow | undefined;
    return row && fromUserRow(row);
  }

  async findUserById(userId: string): Promise<User | undefined> {
    const row = this.connection.statements.findUserById.get(userId) as UserRow | undefined;
    return row && fromUserRow(row);
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    this.connection.statements.setPasswordHash.run({
      user_id: userId,
      password_hash: passwordHash,
    });
  }

  async createSession(session: Session): Promise<void> {
    insertOnce('session', () =>
      this.connection.statements.insertSession.run(toSessionRow(session)),
    );
  }

  async findSession(sessionHash: string, now: number): Promise<Session | undefined> {
    const { findLiveSession } = this.connection.statements;
    const row = findLiveSession.get({ session_hash: sessionHash, now }) as SessionRow | undefined;
    return row && fromSessionRow(row);
  }

  async deleteSession(sessionHash: string): Promise<void> {
    this.connection.statements.deleteSession.run(sessionHash);
  }

  async getCachedClientMetadata(
    url: string,
    now: number,
  ): Promise<CachedClientMetadata | undefined> {
    const { findLiveClientMetadata } = this.connection.statements;
    const row = findLiveClientMetadata.get({ url, now }) as ClientMetadataRow | undefined;
    return row && fromClientMetadataRow(row);
  }

  async putCachedClientMetadata(entry: CachedClientMetadata): Promise<void> {
    this.connection.statements.upsertClientMetadata.run(toClientMetadataRow(entry));
  }

  async purgeExpired(now: number): Promise<void> {
    this.connection.purgeExpired.immediate(now);
  }

  async recordClientUse(clientId: string, now: number): Promise<void> {
    this.connection.statements.recordClientUse.run({
      client_id: clientId,
      now,
      recorded_before: now - CLIENT_USE_RESOLUTION_SECONDS,
    });
  }

  async purgeStaleClients(now: number, retention: ClientRetention): Promise<number> {
    const { changes } = this.connection.statements.purgeStaleClients.run({
      now,
      used_before: now - retention.usedSeconds,
      registered_before: now - retention.unusedSeconds,
    });
    return Number(changes);
  }
}

type Connection = ReturnType<typeof openConnection>;

function openConnection(filename: string) {
  if (filename !== ':memory:') mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const db = new Database(filename);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    // NORMAL is safe with WAL: a crash of the process loses nothing, a power cut at worst the last
    // commits. FULL waits for an fsync on every commit (~1.8 ms here), which capped token and
    // registration throughput at the disk's speed.
    db.pragma('synchronous = NORMAL');
    migrate(db, filename);
    const statements = prepareStatements(db);
    return { db, statements, ...prepareTransactions(db, statements) };
  } catch (error) {
    db.close();
    throw error;
  }
}

function prepareStatements(db: Database.Database) {
  return {
    insertClient: db.prepare(`
      INSERT INTO clients (client_id, client_secret_hash, client_name, redirect_uris, grant_types,
        response_types, token_endpoint_auth_method, metadata, created_at)
      VALUES (@client_id, @client_secret_hash, @client_name, @redirect_uris, @grant_types,
        @response_types, @token_endpoint_auth_method, @metadata, @created_at)`),
    findClient: db.prepare('SELECT * FROM clients WHERE client_id = ?'),

    insertGrant: db.prepare(`
      INSERT INTO grants (grant_id, client_id, user_id, scopes, resource, created_at, revoked_at)
      VALUES (@grant_id, @client_id, @user_id, @scopes, @resource, @created_at, @revoked_at)`),
    findGrant: db.prepare('SELECT * FROM grants WHERE grant_id = ?'),
    revokeGrant: db.prepare(
      'UPDATE grants SET revoked_at = @now WHERE grant_id = @grant_id AND revoked_at IS NULL',
    ),

    insertCode: db.prepare(`
      INSERT INTO authorization_codes (code_hash, grant_id, client_id, user_id, redirect_uri,
        code_challenge, scopes, resource, expires_at)
      VALUES (@code_hash, @grant_id, @client_id, @user_id, @redirect_uri,
        @code_challenge, @scopes, @resource, @expires_at)`),
    findCode: db.prepare('SELECT * FROM authorization_codes WHERE code_hash = ?'),
    markCodeConsumed: db.prepare('UPDATE authorization_codes SET consumed = 1 WHERE code_hash = ?'),

    insertAccessToken: db.prepare(`
      INSERT INTO access_tokens (token_hash, grant_id, client_id, user_id, scopes, resource, expires_at)
      VALUES (@token_hash, @grant_id, @client_id, @user_id, @scopes, @resource, @expires_at)`),
    findLiveAccessToken: db.prepare(`
      SELECT access_tokens.* FROM access_tokens JOIN grants USING (grant_id)
      WHERE token_hash = @token_hash AND expires_at > @now AND grants.revoked_at IS NULL`),
    deleteAccessToken: db.prepare('DELETE FROM access_tokens WHERE token_hash = ?'),

    insertRefreshToken: db.prepare(`
      INSERT INTO refresh_tokens (token_hash, grant_id, client_id, user_id, scopes, resource,
        expires_at, rotated_at, parent_hash, retired_at)
      VALUES (@token_hash, @grant_id, @client_id, @user_id, @scopes, @resource,
        @expires_at, @rotated_at, @parent_hash, @retired_at)`),
    findRefreshTokenOfLiveGrant: db.prepare(`
      SELECT refresh_tokens.* FROM refresh_tokens JOIN grants USING (grant_id)
      WHERE token_hash = ? AND grants.revoked_at IS NULL`),
    markRefreshTokenRotated: db.prepare(
      'UPDATE refresh_tokens SET rotated_at = @now WHERE token_hash = @token_hash',
    ),
    retireRefreshToken: db.prepare(`
      UPDATE refresh_tokens SET retired_at = @now
      WHERE token_hash = @token_hash AND retired_at IS NULL`),
    retireRefreshFamily: db.prepare(`
      UPDATE refresh_tokens SET retired_at = @now
      WHERE (token_hash = @parent_hash OR parent_hash = @parent_hash)
        AND token_hash <> @survivor_hash AND retired_at IS NULL`),

    insertUser: db.prepare(`
      INSERT INTO users (user_id, email, password_hash, created_at)
      VALUES (@user_id, @email, @password_hash, @created_at)`),
    findUserByEmail: db.prepare('SELECT * FROM users WHERE email = ?'),
    findUserById: db.prepare('SELECT * FROM users WHERE user_id = ?'),
    setPasswordHash: db.prepare(
      'UPDATE users SET password_hash = @password_hash WHERE user_id = @user_id',
    ),

    insertSession: db.prepare(`
      INSERT INTO sessions (session_hash, user_id, expires_at)
      VALUES (@session_hash, @user_id, @expires_at)`),
    findLiveSession: db.prepare(
      'SELECT * FROM sessions WHERE session_hash = @session_hash AND expires_at > @now',
    ),
    deleteSession: db.prepare('DELETE FROM sessions WHERE session_hash = ?'),

    findLiveClientMetadata: db.prepare(
      'SELECT * FROM client_metadata_cache WHERE url = @url AND expires_at > @now',
    ),
    upsertClientMetadata: db.prepare(`
      INSERT INTO client_metadata_cache (url, document, expires_at)
      VALUES (@url, @document, @expires_at)
      ON CONFLICT (url) DO UPDATE SET document = excluded.document, expires_at = excluded.expires_at`),

    purgeCodes: db.prepare(`
      DELETE FROM authorization_codes WHERE expires_at <= ?
        OR grant_id NOT IN (SELECT grant_id FROM grants WHERE revoked_at IS NULL)`),
    purgeAccessTokens: db.prepare(`
      DELETE FROM access_tokens WHERE expires_at <= ?
        OR grant_id NOT IN (SELECT grant_id FROM grants WHERE revoked_at IS NULL)`),
    purgeRefreshTokens: db.prepare(`
      DELETE FROM refresh_tokens WHERE expires_at <= ?
        OR grant_id NOT IN (SELECT grant_id FROM grants WHERE revoked_at IS NULL)`),
    purgeUnreferencedGrants: db.prepare(`
      DELETE FROM grants
      WHERE NOT EXISTS (SELECT 1 FROM authorization_codes c WHERE c.grant_id = grants.grant_id)
        AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = grants.grant_id)
        AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.grant_id = grants.grant_id)`),
    purgeSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    purgeClientMetadata: db.prepare('DELETE FROM client_metadata_cache WHERE expires_at <= ?'),

    recordClientUse: db.prepare(`
      UPDATE clients SET last_used_at = @now
      WHERE client_id = @client_id AND (last_used_at IS NULL OR last_used_at <= @recorded_before)`),
    // A live grant: not revoked, with a code or token not expired yet (quirk client-retention).
    purgeStaleClients: db.prepare(`
      DELETE FROM clients
      WHERE CASE WHEN last_used_at IS NULL THEN created_at <= @registered_before
                 ELSE last_used_at <= @used_before END
        AND NOT EXISTS (
          SELECT 1 FROM grants g
          WHERE g.client_id = clients.client_id AND g.revoked_at IS NULL AND (
            EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.grant_id = g.grant_id AND r.expires_at > @now)
            OR EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = g.grant_id AND a.expires_at > @now)
            OR EXISTS (SELECT 1 FROM authorization_codes c
                       WHERE c.grant_id = g.grant_id AND c.expires_at > @now)))`),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** Everything that must happen all-or-nothing. Callers run these with `.immediate(...)`. */
function prepareTransactions(db: Database.Database, statements: Statements) {
  const insertTokenPair = (access: AccessToken, refresh: RefreshToken) => {
    statements.insertAccessToken.run(toAccessTokenRow(access));
    statements.insertRefreshToken.run(toRefreshTokenRow(refresh));
  };

  return {
    createGrantWithCode: db.transaction((grant: Grant, code: AuthorizationCode) => {
      statements.insertGrant.run(toGrantRow(grant));
      statements.insertCode.run(toCodeRow(code));
    }),

    consumeCode: db.transaction((codeHash: string): ConsumeCodeResult => {
      const row = statements.findCode.get(codeHash) as CodeRow | undefined;
      if (!row) return { status: 'not_found' };
      const code = fromCodeRow(row);
      if (row.consumed) return { status: 'replayed', code };
      statements.markCodeConsumed.run(codeHash);
      return { status: 'consumed', code };
    }),

    saveTokens: db.transaction(insertTokenPair),

    rotateRefreshToken: db.transaction((input: RotateRefreshInput): RotateRefreshResult => {
      const { oldTokenHash, newAccessToken, newRefreshToken, now, graceSeconds } = input;
      const row = statements.findRefreshTokenOfLiveGrant.get(oldTokenHash) as
        RefreshTokenRow | undefined;
      if (!row || row.expires_at <= now) return { status: 'invalid' };
      const previous = fromRefreshTokenRow(row);
      const standing = refreshTokenStanding(previous, now, graceSeconds);
      if (standing === 'retired') {
        statements.revokeGrant.run({ grant_id: previous.grantId, now });
        return { status: 'reused', previous };
      }
      insertTokenPair(newAccessToken, newRefreshToken);
      if (standing === 'grace') return { status: 'grace', previous };
      statements.markRefreshTokenRotated.run({ token_hash: oldTokenHash, now });
      if (previous.parentHash !== null) {
        statements.retireRefreshFamily.run({
          parent_hash: previous.parentHash,
          survivor_hash: oldTokenHash,
          now,
        });
      }
      return { status: 'rotated', previous };
    }),

    purgeExpired: db.transaction((now: number) => {
      // Tokens and codes first: a grant is deleted once nothing refers to it any more.
      statements.purgeCodes.run(now);
      statements.purgeAccessTokens.run(now);
      statements.purgeRefreshTokens.run(now);
      statements.purgeUnreferencedGrants.run();
      statements.purgeSessions.run(now);
      statements.purgeClientMetadata.run(now);
    }),
  };
}

/** Runs a write and turns a primary-key or UNIQUE violation into DuplicateKeyError. */
function insertOnce<T>(what: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (
      error instanceof Database.SqliteError &&
      (error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || error.code === 'SQLITE_CONSTRAINT_UNIQUE')
    ) {
      throw new DuplicateKeyError(what);
    }
    throw error;
  }
}

// Rows as stored: snake_case columns, arrays and objects as JSON text.

interface ClientRow {
  client_id: string;
  client_secret_hash: string | null;
  client_name: string | null;
  redirect_uris: string;
  grant_types: string;
  response_types: string;
  token_endpoint_auth_method: string;
  metadata: string;
  created_at: number;
}

interface GrantRow {
  grant_id: string;
  client_id: string;
  user_id: string;
  scopes: string;
  resource: string;
  created_at: number;
  revoked_at: number | null;
}

interface CodeRow {
  code_hash: string;
  grant_id: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  code_challenge: string;
  scopes: string;
  resource: string;
  expires_at: number;
  consumed: number;
}

interface AccessTokenRow {
  token_hash: string;
  grant_id: string;
  client_id: string;
  user_id: string;
  scopes: string;
  resource: string;
  expires_at: number;
}

interface RefreshTokenRow extends AccessTokenRow {
  rotated_at: number | null;
  parent_hash: string | null;
  retired_at: number | null;
}

interface UserRow {
  user_id: string;
  email: string;
  password_hash: string;
  created_at: number;
}

interface SessionRow {
  session_hash: string;
  user_id: string;
  expires_at: number;
}

interface ClientMetadataRow {
  url: string;
  document: string;
  expires_at: number;
}

function toClientRow(client: Client): ClientRow {
  return {
    client_id: client.clientId,
    client_secret_hash: client.clientSecretHash,
    client_name: client.clientName,
    redirect_uris: JSON.stringify(client.redirectUris),
    grant_types: JSON.stringify(client.grantTypes),
    response_types: JSON.stringify(client.responseTypes),
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    metadata: JSON.stringify(client.metadata),
    created_at: client.createdAt,
  };
}

function fromClientRow(row: ClientRow): Client {
  return {
    clientId: row.client_id,
    clientSecretHash: row.client_secret_hash,
    clientName: row.client_name,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    grantTypes: JSON.parse(row.grant_types) as string[],
    responseTypes: JSON.parse(row.response_types) as string[],
    tokenEndpointAuthMethod: row.token_endpoint_auth_method as TokenEndpointAuthMethod,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

function toGrantRow(grant: Grant): GrantRow {
  return {
    grant_id: grant.grantId,
    client_id: grant.clientId,
    user_id: grant.userId,
    scopes: JSON.stringify(grant.scopes),
    resource: grant.resource,
    created_at: grant.createdAt,
    revoked_at: grant.revokedAt,
  };
}

function fromGrantRow(row: GrantRow): Grant {
  return {
    grantId: row.grant_id,
    clientId: row.client_id,
    userId: row.user_id,
    scopes: JSON.parse(row.scopes) as string[],
    resource: row.resource,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

function toCodeRow(code: AuthorizationCode): Omit<CodeRow, 'consumed'> {
  return {
    code_hash: code.codeHash,
    grant_id: code.grantId,
    client_id: code.clientId,
    user_id: code.userId,
    redirect_uri: code.redirectUri,
    code_challenge: code.codeChallenge,
    scopes: JSON.stringify(code.scopes),
    resource: code.resource,
    expires_at: code.expiresAt,
  };
}

function fromCodeRow(row: CodeRow): AuthorizationCode {
  return {
    codeHash: row.code_hash,
    grantId: row.grant_id,
    clientId: row.client_id,
    userId: row.user_id,
    redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge,
    scopes: JSON.parse(row.scopes) as string[],
    resource: row.resource,
    expiresAt: row.expires_at,
  };
}

function toAccessTokenRow(token: AccessToken): AccessTokenRow {
  return {
    token_hash: token.tokenHash,
    grant_id: token.grantId,
    client_id: token.clientId,
    user_id: token.userId,
    scopes: JSON.stringify(token.scopes),
    resource: token.resource,
    expires_at: token.expiresAt,
  };
}

function fromAccessTokenRow(row: AccessTokenRow): AccessToken {
  return {
    tokenHash: row.token_hash,
    grantId: row.grant_id,
    clientId: row.client_id,
    userId: row.user_id,
    scopes: JSON.parse(row.scopes) as string[],
    resource: row.resource,
    expiresAt: row.expires_at,
  };
}

function toRefreshTokenRow(token: RefreshToken): RefreshTokenRow {
  return {
    ...toAccessTokenRow(token),
    rotated_at: token.rotatedAt,
    parent_hash: token.parentHash,
    retired_at: token.retiredAt,
  };
}

function fromRefreshTokenRow(row: RefreshTokenRow): RefreshToken {
  return {
    ...fromAccessTokenRow(row),
    rotatedAt: row.rotated_at,
    parentHash: row.parent_hash,
    retiredAt: row.retired_at,
  };
}

function toUserRow(user: User): UserRow {
  return {
    user_id: user.userId,
    email: user.email.toLowerCase(),
    password_hash: user.passwordHash,
    created_at: user.createdAt,
  };
}

function fromUserRow(row: UserRow): User {
  return {
    userId: row.user_id,
    email: row.email,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}

function toSessionRow(session: Session): SessionRow {
  return {
    session_hash: session.sessionHash,
    user_id: session.userId,
    expires_at: session.expiresAt,
  };
}

function fromSessionRow(row: SessionRow): Session {
  return { sessionHash: row.session_hash, userId: row.user_id, expiresAt: row.expires_at };
}

function toClientMetadataRow(entry: CachedClientMetadata): ClientMetadataRow {
  return { url: entry.url, document: JSON.stringify(entry.document), expires_at: entry.expiresAt };
}

function fromClientMetadataRow(row: ClientMetadataRow): CachedClientMetadata {
  return {
    url: row.url,
    document: JSON.parse(row.document) as Record<string, unknown>,
    expiresAt: row.expires_at,
  };
}
