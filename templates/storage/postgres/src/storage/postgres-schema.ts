import type { PoolClient } from 'pg';

/**
 * The schema, one step per version: MIGRATIONS[i] takes a schema from version i to i + 1
 * (recorded in schema_migrations). Add a step for every change and never edit a step that has
 * shipped, so every existing database can be brought forward.
 *
 * Times are Unix epoch seconds (BIGINT). Lists of strings are TEXT[], objects are JSONB.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    client_secret_hash TEXT,
    client_name TEXT,
    redirect_uris TEXT[] NOT NULL,
    grant_types TEXT[] NOT NULL,
    response_types TEXT[] NOT NULL,
    token_endpoint_auth_method TEXT NOT NULL,
    metadata JSONB NOT NULL,
    created_at BIGINT NOT NULL
  );

  CREATE TABLE grants (
    grant_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scopes TEXT[] NOT NULL,
    resource TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
  );

  CREATE TABLE authorization_codes (
    code_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    scopes TEXT[] NOT NULL,
    resource TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    consumed BOOLEAN NOT NULL DEFAULT FALSE
  );
  CREATE INDEX authorization_codes_grant_id ON authorization_codes (grant_id);
  CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at);

  CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scopes TEXT[] NOT NULL,
    resource TEXT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX access_tokens_grant_id ON access_tokens (grant_id);
  CREATE INDEX access_tokens_expires_at ON access_tokens (expires_at);

  CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scopes TEXT[] NOT NULL,
    resource TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    rotated_at BIGINT
  );
  CREATE INDEX refresh_tokens_grant_id ON refresh_tokens (grant_id);
  CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

  CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );

  CREATE TABLE sessions (
    session_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX sessions_expires_at ON sessions (expires_at);

  CREATE TABLE client_metadata_cache (
    url TEXT PRIMARY KEY,
    document JSONB NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX client_metadata_cache_expires_at ON client_metadata_cache (expires_at);

  CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    hits INTEGER NOT NULL
  );
  CREATE INDEX rate_limits_expires_at ON rate_limits (expires_at);
  `,
  // 0.2.0: refresh token families (quirk refresh-rotation). Tokens from 0.1.0 have no parent.
  `
  ALTER TABLE refresh_tokens ADD COLUMN parent_hash TEXT;
  ALTER TABLE refresh_tokens ADD COLUMN retired_at BIGINT;
  CREATE INDEX refresh_tokens_parent_hash ON refresh_tokens (parent_hash);
  `,
  // 0.2.0: when each client last used the token endpoint (quirk client-retention). A client from
  // 0.1.0 counts as used when it last got a grant, so an upgrade never makes it look unused.
  `
  ALTER TABLE clients ADD COLUMN last_used_at BIGINT;
  UPDATE clients SET last_used_at =
    (SELECT max(created_at) FROM grants WHERE grants.client_id = clients.client_id);
  CREATE INDEX grants_client_id ON grants (client_id);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Creates the schema when missing and brings it up to SCHEMA_VERSION, all in one transaction.
 * The transaction first takes an advisory lock named after the schema, so when several
 * instances start together one migrates and the others wait, then find nothing left to do.
 * `schema` is a plain lowercase identifier (loadConfig checks it), safe to put into SQL.
 */
export async function migrate(client: PoolClient, schema: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('mcp-oauth-migrate:' || $1))`, [
      schema,
    ]);
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET LOCAL search_path TO ${schema}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        applied_at BIGINT NOT NULL
      )`);
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM schema_migrations',
    );
    const current = rows[0]?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `the PostgreSQL schema "${schema}" is at version ${current}, but this server only knows ` +
          `up to ${SCHEMA_VERSION}; it was migrated by a newer version of this server`,
      );
    }
    for (let version = current + 1; version <= SCHEMA_VERSION; version += 1) {
      await client.query(MIGRATIONS[version - 1]!);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
        version,
        Math.floor(Date.now() / 1000),
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
