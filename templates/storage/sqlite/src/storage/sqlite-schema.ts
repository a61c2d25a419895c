import type Database from 'libsql';

/**
 * The schema, one step per version: MIGRATIONS[i] takes a database from `PRAGMA user_version`
 * i to i + 1. Add a step for every change and never edit a step that has shipped, so every
 * existing database can be brought forward.
 *
 * Arrays and objects are JSON text. Times are Unix epoch seconds.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    client_secret_hash TEXT,
    client_name TEXT,
    redirect_uris TEXT NOT NULL,
    grant_types TEXT NOT NULL,
    response_types TEXT NOT NULL,
    token_endpoint_auth_method TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE grants (
    grant_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    resource TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );

  CREATE TABLE authorization_codes (
    code_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    scopes TEXT NOT NULL,
    resource TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX authorization_codes_grant_id ON authorization_codes (grant_id);
  CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at);

  CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    resource TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX access_tokens_grant_id ON access_tokens (grant_id);
  CREATE INDEX access_tokens_expires_at ON access_tokens (expires_at);

  CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    resource TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER
  );
  CREATE INDEX refresh_tokens_grant_id ON refresh_tokens (grant_id);
  CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

  CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE sessions (
    session_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_expires_at ON sessions (expires_at);

  CREATE TABLE client_metadata_cache (
    url TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX client_metadata_cache_expires_at ON client_metadata_cache (expires_at);

  CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    hits INTEGER NOT NULL
  );
  CREATE INDEX rate_limits_expires_at ON rate_limits (expires_at);
  `,
  // 0.2.0: refresh token families (quirk refresh-rotation). Tokens from 0.1.0 have no parent.
  `
  ALTER TABLE refresh_tokens ADD COLUMN parent_hash TEXT;
  ALTER TABLE refresh_tokens ADD COLUMN retired_at INTEGER;
  CREATE INDEX refresh_tokens_parent_hash ON refresh_tokens (parent_hash);
  `,
  // 0.2.0: rate limits are counted in the server process (src/oauth/rate-limit.ts).
  `
  DROP TABLE rate_limits;
  `,
  // 0.2.0: when each client last used the token endpoint (quirk client-retention). A client from
  // 0.1.0 counts as used when it last got a grant, so an upgrade never makes it look unused.
  `
  ALTER TABLE clients ADD COLUMN last_used_at INTEGER;
  UPDATE clients SET last_used_at =
    (SELECT max(created_at) FROM grants WHERE grants.client_id = clients.client_id);
  CREATE INDEX grants_client_id ON grants (client_id);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the schema up to SCHEMA_VERSION. The check and the steps share one IMMEDIATE
 * transaction, so when two processes start on one file together only the first migrates.
 */
export function migrate(db: Database.Database, filename: string): void {
  db.transaction(() => {
    const current = schemaVersion(db);
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `${filename} has schema version ${current}, but this server only knows ` +
          `up to ${SCHEMA_VERSION}; it was written by a newer version of this server`,
      );
    }
    for (const step of MIGRATIONS.slice(current)) db.exec(step);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

export function schemaVersion(db: Database.Database): number {
  const [row] = db.pragma('user_version') as Array<{ user_version: number }>;
  return row?.user_version ?? 0;
}
