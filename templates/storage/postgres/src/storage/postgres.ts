import {
  DatabaseError,
  Pool,
  TypeOverrides,
  types,
  type PoolClient,
  type QueryResultRow,
} from 'pg';
import type { Config } from '../config.js';
import { isNetworkError, reportingOutages } from './outage.js';
import { migrate } from './postgres-schema.js';
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

const UNIQUE_VIOLATION = '23505';

/** What a duplicate key in each table is, for DuplicateKeyError. */
const RECORD_NAMES: Record<string, string> = {
  clients: 'client',
  grants: 'grant',
  authorization_codes: 'authorization code',
  access_tokens: 'access token',
  refresh_tokens: 'refresh token',
  users: 'user',
  sessions: 'session',
};

/**
 * PostgreSQL through a pg connection pool, so any number of server instances can share one database.
 * consumeCode and rotateRefreshToken decide under row locks: a conditional UPDATE for codes, and
 * SELECT ... FOR UPDATE of the grant's row inside a transaction for refresh tokens. Whichever instance gets the lock
 * first decides; the others wait for it and then see its result.
 */
export function createStore(config: Config): Store {
  return reportingOutages(new PostgresStore(config.databaseUrl, config.databaseSchema), isOutage);
}

/**
 * How long a connection attempt (or the wait for a free pooled connection) and one query may take.
 * Short enough that an unreachable database answers 503 in seconds instead of hanging requests, long
 * enough that a burst of refreshes queueing on one row lock never trips it.
 */
const CONNECT_TIMEOUT_MS = 2000;
const QUERY_TIMEOUT_MS = 5000;

/** SQLSTATE classes of a server that is going away or full: 08 connection, 57P0x shutdown, 53300 too many connections. */
const UNAVAILABLE_SQLSTATE = /^(08|57P0|53300)/;

/** pg's own messages for a connection that broke, timed out or never came up. */
const CONNECTION_FAILURE =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error)/;

function isOutage(error: unknown): boolean {
  if (error instanceof DatabaseError) return UNAVAILABLE_SQLSTATE.test(error.code ?? '');
  return (
    isNetworkError(error) || (error instanceof Error && CONNECTION_FAILURE.test(error.message))
  );
}

class PostgresStore implements Store {
  private readonly pool: Pool;

  constructor(
    private readonly databaseUrl: string,
    private readonly schema: string,
  ) {
    this.pool = new Pool({
      connectionString: databaseUrl,
      // Every connection resolves table names in the configured schema.
      options: `-c search_path=${schema}`,
      types: epochSecondsAsNumbers(),
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      // A connection whose peer vanished (no RST) is found dead instead of waiting forever.
      keepAlive: true,
    });
    // A pooled connection that breaks while idle is discarded and replaced on the next query;
    // without a listener the error would crash the process.
    this.pool.on('error', (error) => {
      console.error(`PostgreSQL: an idle connection failed: ${error.message}`);
    });
  }

  async init(): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new Error(
        `Cannot connect to PostgreSQL at ${describeServer(this.databaseUrl)} (DATABASE_URL): ${messageOf(error)}`,
      );
    }
    try {
      await migrate(client, this.schema);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async createClient(client: Client): Promise<void> {
    await this.query(
      `INSERT INTO clients (client_id, client_secret_hash, client_name, redirect_uris, grant_types,
         response_types, token_endpoint_auth_method, metadata, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        client.clientId,
        client.clientSecretHash,
        client.clientName,
        client.redirectUris,
        client.grantTypes,
        client.responseTypes,
        client.tokenEndpointAuthMethod,
        JSON.stringify(client.metadata),
        client.createdAt,
      ],
    );
  }

  async findClient(clientId: string): Promise<Client | undefined> {
    const row = await this.first<ClientRow>('SELECT * FROM clients WHERE client_id = $1', [
      clientId,
    ]);
    return row && fromClientRow(row);
  }

  async createGrantWithCode(grant: Grant, code: AuthorizationCode): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(
        `INSERT INTO grants (grant_id, client_id, user_id, scopes, resource, created_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          grant.grantId,
          grant.clientId,
          grant.userId,
          grant.scopes,
          grant.resource,
          grant.createdAt,
          grant.revokedAt,
        ],
      );
      await client.query(
        `INSERT INTO authorization_codes (code_hash, grant_id, client_id, user_id, redirect_uri,
           code_challenge, scopes, resource, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          code.codeHash,
          code.grantId,
          code.clientId,
          code.userId,
          code.redirectUri,
          code.codeChallenge,
          code.scopes,
          code.resource,
          code.expiresAt,
        ],
      );
    });
  }

  async findCode(codeHash: string): Promise<StoredCode | undefined> {
    const row = await this.first<CodeRow>(
      'SELECT * FROM authorization_codes WHERE code_hash = $1',
      [codeHash],
    );
    return row && { code: fromCodeRow(row), consumed: row.consumed };
  }

  async consumeCode(codeHash: string): Promise<ConsumeCodeResult> {
    // A concurrent UPDATE of the same row waits for this one to commit, then re-checks
    // `NOT consumed` against the committed row and matches nothing: only one caller consumes.
    const consumed = await this.first<CodeRow>(
      'UPDATE authorization_codes SET consumed = TRUE WHERE code_hash = $1 AND NOT consumed RETURNING *',
      [codeHash],
    );
    if (consumed) return { status: 'consumed', code: fromCodeRow(consumed) };
    const replayed = await this.first<CodeRow>(
      'SELECT * FROM authorization_codes WHERE code_hash = $1',
      [codeHash],
    );
    return replayed ? { status: 'replayed', code: fromCodeRow(replayed) } : { status: 'not_found' };
  }

  async saveTokens(access: AccessToken, refresh: RefreshToken): Promise<void> {
    await this.transaction((client) => insertTokenPair(client, access, refresh));
  }

  async findGrant(grantId: string): Promise<Grant | undefined> {
    const row = await this.first<GrantRow>('SELECT * FROM grants WHERE grant_id = $1', [grantId]);
    return row && fromGrantRow(row);
  }

  async revokeGrant(grantId: string, now: number): Promise<void> {
    await this.query(
      'UPDATE grants SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL',
      [grantId, now],
    );
  }

  async findAccessToken(tokenHash: string, now: number): Promise<AccessToken | undefined> {
    // Runs on every MCP request: a named statement is parsed once per connection.
    const { rows } = await this.pool.query<AccessTokenRow>({
      name: 'find-live-access-token',
      text: `SELECT access_tokens.* FROM access_tokens JOIN grants USING (grant_id)
             WHERE token_hash = $1 AND expires_at > $2 AND grants.revoked_at IS NULL`,
      values: [tokenHash, now],
    });
    return rows[0] && fromAccessTokenRow(rows[0]);
  }

  async revokeAccessToken(tokenHash: string): Promise<void> {
    await this.query('DELETE FROM access_tokens WHERE token_hash = $1', [tokenHash]);
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshToken | undefined> {
    const row = await this.first<RefreshTokenRow>(
      `SELECT refresh_tokens.* FROM refresh_tokens JOIN grants USING (grant_id)
       WHERE token_hash = $1 AND grants.revoked_at IS NULL`,
      [tokenHash],
    );
    return row && fromRefreshTokenRow(row);
  }

  async rotateRefreshToken(input: RotateRefreshInput): Promise<RotateRefreshResult> {
    const { oldTokenHash, newAccessToken, newRefreshToken, now, graceSeconds } = input;
    return this.transaction(async (client): Promise<RotateRefreshResult> => {
      // Every rotation in a grant takes the grant's row lock first, so rotations of one token or of
      // siblings take turns (and never deadlock over each other's rows); each statement after the
      // lock reads what the transactions before it committed.
      const grant = await client.query<{ grant_id: string }>(
        `SELECT grant_id FROM grants
         WHERE grant_id = (SELECT grant_id FROM refresh_tokens WHERE token_hash = $1)
           AND revoked_at IS NULL
         FOR UPDATE`,
        [oldTokenHash],
      );
      const grantId = grant.rows[0]?.grant_id;
      if (grantId === undefined) return { status: 'invalid' };
      const { rows } = await client.query<RefreshTokenRow>(
        'SELECT * FROM refresh_tokens WHERE token_hash = $1',
        [oldTokenHash],
      );
      const row = rows[0];
      if (!row || row.expires_at <= now) return { status: 'invalid' };
      const previous = fromRefreshTokenRow(row);
      const standing = refreshTokenStanding(previous, now, graceSeconds);
      if (standing === 'retired') {
        await client.query('UPDATE grants SET revoked_at = $2 WHERE grant_id = $1', [grantId, now]);
        return { status: 'reused', previous };
      }
      await insertTokenPair(client, newAccessToken, newRefreshToken);
      if (standing === 'grace') return { status: 'grace', previous };
      await client.query('UPDATE refresh_tokens SET rotated_at = $2 WHERE token_hash = $1', [
        oldTokenHash,
        now,
      ]);
      if (previous.parentHash !== null) {
        // The first use of this token confirms it reached the client: its parent and siblings retire.
        await client.query(
          `UPDATE refresh_tokens SET retired_at = $3
           WHERE (token_hash = $1 OR parent_hash = $1) AND token_hash <> $2 AND retired_at IS NULL`,
          [previous.parentHash, oldTokenHash, now],
        );
      }
      return { status: 'rotated', previous };
    });
  }

  async retireRefreshToken(tokenHash: string, now: number): Promise<void> {
    await this.query(
      'UPDATE refresh_tokens SET retired_at = $2 WHERE token_hash = $1 AND retired_at IS NULL',
      [tokenHash, now],
    );
  }

  async createUser(user: User): Promise<void> {
    await this.query(
      'INSERT INTO users (user_id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)',
      [user.userId, user.email.toLowerCase(), user.passwordHash, user.createdAt],
    );
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    const row = await this.first<UserRow>('SELECT * FROM users WHERE email = $1', [
      email.toLowerCase(),
    ]);
    return row && fromUserRow(row);
  }

  async findUserById(userId: string): Promise<User | undefined> {
    const row = await this.first<UserRow>('SELECT * FROM users WHERE user_id = $1', [userId]);
    return row && fromUserRow(row);
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.query('UPDATE users SET password_hash = $2 WHERE user_id = $1', [
      userId,
      passwordHash,
    ]);
  }

  async createSession(session: Session): Promise<void> {
    await this.query(
      'INSERT INTO sessions (session_hash, user_id, expires_at) VALUES ($1, $2, $3)',
      [session.sessionHash, session.userId, session.expiresAt],
    );
  }

  async findSession(sessionHash: string, now: number): Promise<Session | undefined> {
    const row = await this.first<SessionRow>(
      'SELECT * FROM sessions WHERE session_hash = $1 AND expires_at > $2',
      [sessionHash, now],
    );
    return row && { sessionHash: row.session_hash, userId: row.user_id, expiresAt: row.expires_at };
  }

  async deleteSession(sessionHash: string): Promise<void> {
    await this.query('DELETE FROM sessions WHERE session_hash = $1', [sessionHash]);
  }

  async getCachedClientMetadata(
    url: string,
    now: number,
  ): Promise<CachedClientMetadata | undefined> {
    const row = await this.first<ClientMetadataRow>(
      'SELECT * FROM client_metadata_cache WHERE url = $1 AND expires_at > $2',
      [url, now],
    );
    return row && { url: row.url, document: row.document, expiresAt: row.expires_at };
  }

  async putCachedClientMetadata(entry: CachedClientMetadata): Promise<void> {
    await this.query(
      `INSERT INTO client_metadata_cache (url, document, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (url) DO UPDATE SET document = excluded.document, expires_at = excluded.expires_at`,
      [entry.url, JSON.stringify(entry.document), entry.expiresAt],
    );
  }

  async hitRateLimit(key: string, windowSeconds: number, now: number, hits = 1): Promise<number> {
    const windowStart = now - (now % windowSeconds);
    // Concurrent hits on one key queue on its row lock, so every hit is counted.
    // A hit in a later window starts a new count; SET expressions all read the row's old values.
    const row = await this.first<{ hits: number }>(
      `INSERT INTO rate_limits AS existing (key, window_start, expires_at, hits) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN excluded.window_start > existing.window_start THEN excluded.hits
                     ELSE existing.hits + excluded.hits END,
         window_start = greatest(existing.window_start, excluded.window_start),
         expires_at = greatest(existing.expires_at, excluded.expires_at)
       RETURNING hits`,
      // One row per key and window size, like a Redis counter.
      [`${windowSeconds}:${key}`, windowStart, windowStart + windowSeconds, hits],
    );
    return row!.hits;
  }

  async purgeExpired(now: number): Promise<void> {
    const deadGrant = 'grant_id NOT IN (SELECT grant_id FROM grants WHERE revoked_at IS NULL)';
    await this.transaction(async (client) => {
      // Tokens and codes first: a grant is deleted once nothing refers to it any more.
      await client.query(`DELETE FROM authorization_codes WHERE expires_at <= $1 OR ${deadGrant}`, [
        now,
      ]);
      await client.query(`DELETE FROM access_tokens WHERE expires_at <= $1 OR ${deadGrant}`, [now]);
      await client.query(`DELETE FROM refresh_tokens WHERE expires_at <= $1 OR ${deadGrant}`, [
        now,
      ]);
      await client.query(`
        DELETE FROM grants
        WHERE NOT EXISTS (SELECT 1 FROM authorization_codes c WHERE c.grant_id = grants.grant_id)
          AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = grants.grant_id)
          AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.grant_id = grants.grant_id)`);
      await client.query('DELETE FROM sessions WHERE expires_at <= $1', [now]);
      await client.query('DELETE FROM client_metadata_cache WHERE expires_at <= $1', [now]);
      await client.query('DELETE FROM rate_limits WHERE expires_at <= $1', [now]);
    });
  }

  async recordClientUse(clientId: string, now: number): Promise<void> {
    // The condition makes a burst of refreshes one write: rows it does not match are not locked.
    await this.query(
      `UPDATE clients SET last_used_at = $2
       WHERE client_id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)`,
      [clientId, now, now - CLIENT_USE_RESOLUTION_SECONDS],
    );
  }

  async purgeStaleClients(now: number, retention: ClientRetention): Promise<number> {
    // A live grant: not revoked, with a code or token not expired yet (quirk client-retention).
    const { rowCount } = await this.pool.query(
      `DELETE FROM clients
       WHERE CASE WHEN last_used_at IS NULL THEN created_at <= $3 ELSE last_used_at <= $2 END
         AND NOT EXISTS (
           SELECT 1 FROM grants g
           WHERE g.client_id = clients.client_id AND g.revoked_at IS NULL AND (
             EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.grant_id = g.grant_id AND r.expires_at > $1)
             OR EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = g.grant_id AND a.expires_at > $1)
             OR EXISTS (SELECT 1 FROM authorization_codes c
                        WHERE c.grant_id = g.grant_id AND c.expires_at > $1)))`,
      [now, now - retention.usedSeconds, now - retention.unusedSeconds],
    );
    return rowCount ?? 0;
  }

  private async query(text: string, values: unknown[]): Promise<void> {
    try {
      await this.pool.query(text, values);
    } catch (error) {
      throw asDuplicateKeyError(error);
    }
  }

  private async first<Row extends QueryResultRow>(
    text: string,
    values: unknown[],
  ): Promise<Row | undefined> {
    try {
      const { rows } = await this.pool.query<Row>(text, values);
      return rows[0];
    } catch (error) {
      throw asDuplicateKeyError(error);
    }
  }

  /** Runs `work` in a transaction on one pooled connection; any error rolls everything back. */
  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that broke cannot roll back; the server discards the transaction itself.
      if (isOutage(error)) broken = error as Error;
      else
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
      throw asDuplicateKeyError(error);
    } finally {
      // A connection that could not roll back is closed instead of going back to the pool.
      client.release(broken);
    }
  }
}

async function insertTokenPair(
  client: PoolClient,
  access: AccessToken,
  refresh: RefreshToken,
): Promise<void> {
  // One statement, one round trip: rotations hold their grant's lock while this runs.
  await client.query(
    `WITH access AS (
       INSERT INTO access_tokens (token_hash, grant_id, client_id, user_id, scopes, resource, expires_at)
       VALUES ($11, $12, $13, $14, $15, $16, $17)
     )
     INSERT INTO refresh_tokens (token_hash, grant_id, client_id, user_id, scopes, resource, expires_at,
       rotated_at, parent_hash, retired_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      refresh.tokenHash,
      refresh.grantId,
      refresh.clientId,
      refresh.userId,
      refresh.scopes,
      refresh.resource,
      refresh.expiresAt,
      refresh.rotatedAt,
      refresh.parentHash,
      refresh.retiredAt,
      access.tokenHash,
      access.grantId,
      access.clientId,
      access.userId,
      access.scopes,
      access.resource,
      access.expiresAt,
    ],
  );
}

/** Turns a primary-key or UNIQUE violation into DuplicateKeyError; other errors pass through. */
function asDuplicateKeyError(error: unknown): unknown {
  if (error instanceof DatabaseError && error.code === UNIQUE_VIOLATION) {
    return new DuplicateKeyError(RECORD_NAMES[error.table ?? ''] ?? 'record');
  }
  return error;
}

/** pg returns BIGINT as a string (it can exceed 2^53); epoch seconds never do. */
function epochSecondsAsNumbers(): TypeOverrides {
  const overrides = new TypeOverrides();
  overrides.setTypeParser(types.builtins.INT8, (value: string) => Number(value));
  return overrides;
}

/** host:port/database from DATABASE_URL, without the credentials. */
function describeServer(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'the configured address';
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}

// Rows as pg returns them: snake_case columns, BIGINT as numbers, TEXT[] as arrays, JSONB parsed.

interface ClientRow {
  client_id: string;
  client_secret_hash: string | null;
  client_name: string | null;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: string;
  metadata: Record<string, unknown>;
  created_at: number;
}

interface GrantRow {
  grant_id: string;
  client_id: string;
  user_id: string;
  scopes: string[];
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
  scopes: string[];
  resource: string;
  expires_at: number;
  consumed: boolean;
}

interface AccessTokenRow {
  token_hash: string;
  grant_id: string;
  client_id: string;
  user_id: string;
  scopes: string[];
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
  document: Record<string, unknown>;
  expires_at: number;
}

function fromClientRow(row: ClientRow): Client {
  return {
    clientId: row.client_id,
    clientSecretHash: row.client_secret_hash,
    clientName: row.client_name,
    redirectUris: row.redirect_uris,
    grantTypes: row.grant_types,
    responseTypes: row.response_types,
    tokenEndpointAuthMethod: row.token_endpoint_auth_method as TokenEndpointAuthMethod,
    metadata: row.metadata,
    createdAt: row.created_at,
  };
}

function fromGrantRow(row: GrantRow): Grant {
  return {
    grantId: row.grant_id,
    clientId: row.client_id,
    userId: row.user_id,
    scopes: row.scopes,
    resource: row.resource,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
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
    scopes: row.scopes,
    resource: row.resource,
    expiresAt: row.expires_at,
  };
}

function fromAccessTokenRow(row: AccessTokenRow): AccessToken {
  return {
    tokenHash: row.token_hash,
    grantId: row.grant_id,
    clientId: row.client_id,
    userId: row.user_id,
    scopes: row.scopes,
    resource: row.resource,
    expiresAt: row.expires_at,
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

function fromUserRow(row: UserRow): User {
  return {
    userId: row.user_id,
    email: row.email,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}
