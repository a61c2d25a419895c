import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'libsql';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { ConfigError } from '../src/config.js';
import { SCHEMA_VERSION } from '../src/storage/sqlite-schema.js';
import {
  T0,
  makeTempDir,
  newClient,
  newGrant,
  newCode,
  newSession,
  newUser,
  openStore,
  removeTempDir,
  storeGrantWithCode,
  storeGrantWithTokens,
} from './helpers/storage-fixtures.js';

// What only a database file adds to test/storage-contract.test.ts: data outlives the process,
// and several connections or processes share one file safely.

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./helpers/consume-codes-worker.ts', import.meta.url));

let dir: string;
let databaseFile: string;

beforeEach(async () => {
  dir = await makeTempDir();
  databaseFile = path.join(dir, 'data', 'mcp-oauth.db');
});

afterEach(async () => {
  await removeTempDir(dir);
});

test('storage contract (sqlite): clients, grants, tokens, accounts and sessions survive close and reopen', async () => {
  const first = await openStore(databaseFile);
  const client = newClient();
  await first.createClient(client);
  const { grant, code, access, refresh } = await storeGrantWithTokens(first);
  const user = newUser();
  await first.createUser(user);
  const session = newSession(user);
  await first.createSession(session);
  await first.close();

  const reopened = await openStore(databaseFile);
  try {
    expect(await reopened.findClient(client.clientId)).toEqual(client);
    expect(await reopened.findGrant(grant.grantId)).toEqual(grant);
    expect(await reopened.consumeCode(code.codeHash)).toEqual({ status: 'replayed', code });
    expect(await reopened.findAccessToken(access.tokenHash, T0)).toEqual(access);
    expect(await reopened.findRefreshToken(refresh.tokenHash)).toEqual(refresh);
    expect(await reopened.findUserByEmail(user.email)).toEqual(user);
    expect(await reopened.findSession(session.sessionHash, T0)).toEqual(session);
  } finally {
    await reopened.close();
  }
});

test("storage contract (sqlite): two store instances on one file see each other's writes", async () => {
  const one = await openStore(databaseFile);
  const two = await openStore(databaseFile);
  try {
    const client = newClient();
    await one.createClient(client);
    expect(await two.findClient(client.clientId)).toEqual(client);
    await expect(two.createClient(client)).rejects.toThrow('already exists');

    const { code } = await storeGrantWithCode(two);
    expect((await one.consumeCode(code.codeHash)).status).toBe('consumed');
    expect((await two.consumeCode(code.codeHash)).status).toBe('replayed');

    const { grant, refresh } = await storeGrantWithTokens(one);
    await two.revokeGrant(grant.grantId, T0);
    expect(await one.findRefreshToken(refresh.tokenHash)).toBeUndefined();
  } finally {
    await one.close();
    await two.close();
  }
});

test('storage contract (sqlite): processes racing to consume the same codes on one file never both win a code', async () => {
  const codeCount = 300;
  const store = await openStore(databaseFile);
  for (let index = 0; index < codeCount; index += 1) {
    const grant = newGrant();
    await store.createGrantWithCode(grant, newCode(grant, { codeHash: `race-${index}` }));
  }
  await store.close();

  const workers = [startWorker(codeCount), startWorker(codeCount), startWorker(codeCount)];
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) worker.go();
  const runs = await Promise.all(workers.map((worker) => worker.result));

  const allWins = runs.flatMap((run) => run.won).sort();
  const allCodes = Array.from({ length: codeCount }, (_, index) => `race-${index}`).sort();
  expect(allWins).toEqual(allCodes);
  // There was a moment when all of them were consuming, so they really did race.
  const lastStart = Math.max(...runs.map((run) => run.startedAt));
  const firstFinish = Math.min(...runs.map((run) => run.finishedAt));
  expect(lastStart).toBeLessThan(firstFinish);
}, 60_000);

test('storage contract (sqlite): init creates missing parent directories and accepts a file: URL', async () => {
  const nested = path.join(dir, 'a', 'b', 'c', 'store.db');

  const store = await openStore(pathToFileURL(nested).href);
  await store.createClient(newClient());
  await store.close();

  expect(existsSync(nested)).toBe(true);
});

test('storage contract (sqlite): init creates the schema in WAL mode and records its version', async () => {
  await (await openStore(databaseFile)).close();
  await (await openStore(databaseFile)).close();

  const db = new Database(databaseFile);
  try {
    expect(db.pragma('journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(db.pragma('user_version')).toEqual([{ user_version: SCHEMA_VERSION }]);
  } finally {
    db.close();
  }
});

test('storage contract (sqlite): init refuses a database written by a newer schema version', async () => {
  await (await openStore(databaseFile)).close();
  const db = new Database(databaseFile);
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  db.close();

  await expect(openStore(databaseFile)).rejects.toThrow(/newer version/);
});

test('storage contract (sqlite): a DATABASE_URL for another database kind is a ConfigError', async () => {
  await expect(openStore('postgres://user:secret@localhost:5432/mcp')).rejects.toBeInstanceOf(
    ConfigError,
  );
});

interface WorkerRun {
  won: string[];
  startedAt: number;
  finishedAt: number;
}

interface Worker {
  ready: Promise<void>;
  go(): void;
  result: Promise<WorkerRun>;
}

/** test/helpers/consume-codes-worker.ts in its own Node process, run through tsx. */
function startWorker(codeCount: number): Worker {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WORKER, databaseFile, String(codeCount)],
    {
      cwd: PROJECT_ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the worker exited early (its error is above)');
    return value;
  };
  const ready = nextLine().then((line) => {
    if (line !== 'ready') throw new Error(`the worker said "${line}" instead of "ready"`);
  });
  return {
    ready,
    go: () => child.stdin.end('go\n'),
    result: ready.then(nextLine).then((line) => JSON.parse(line) as WorkerRun),
  };
}
