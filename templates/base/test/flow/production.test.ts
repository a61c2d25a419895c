import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTRY_TEST_TIMEOUT_MS, lines, runServerEntry } from '../helpers/server-entry.js';
import { freePort } from '../helpers/server.js';
import { REQUIRED_STORAGE_ENV, dropStorage, storageEnv } from '../helpers/storage-env.js';

/** A production deployment as the README describes it, with a secret like the one the generator writes. */
const PRODUCTION = {
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PUBLIC_URL: 'https://mcp.example.test',
  SESSION_SECRET: randomBytes(32).toString('base64url'),
  ...REQUIRED_STORAGE_ENV,
};

const UNSAFE: [string, Record<string, string>, RegExp][] = [
  ['an http PUBLIC_URL', { PUBLIC_URL: 'http://mcp.example.test' }, /PUBLIC_URL must be https/],
  [
    'the CIMD private-address switch',
    { CIMD_ALLOW_PRIVATE_ADDRESSES: 'true' },
    /CIMD_ALLOW_PRIVATE_ADDRESSES is for test suites only/,
  ],
  [
    'a SESSION_SECRET of 32 times the same letter',
    { SESSION_SECRET: 'a'.repeat(32) },
    /SESSION_SECRET is too predictable/,
  ],
  ['a short SESSION_SECRET', { SESSION_SECRET: 'short' }, /SESSION_SECRET must be at least 32/],
  [
    'the test-only password hash cost',
    { PASSWORD_HASH_COST: 'test' },
    /PASSWORD_HASH_COST=test is for test suites only/,
  ],
];

describe('rule production: the real server entry refuses to start on an unsafe setting', () => {
  for (const [name, unsafe, message] of UNSAFE) {
    it(
      `NODE_ENV=production with ${name}: exits non-zero with one clear line`,
      async () => {
        const run = await runServerEntry({
          ...PRODUCTION,
          PORT: String(await freePort()),
          ...unsafe,
        });
        expect(run.stopped).toBe(false);
        expect(run.code).not.toBe(0);
        expect(run.code).not.toBeNull();
        const stderr = lines(run.stderr);
        expect(stderr).toHaveLength(1);
        expect(stderr[0]).toMatch(/^Configuration error: /);
        expect(stderr[0]).toMatch(message);
        expect(run.stdout).not.toMatch(/listening/);
      },
      ENTRY_TEST_TIMEOUT_MS,
    );
  }

  it(
    'starts with the same production settings once they are safe',
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-oauth-entry-'));
      try {
        const run = await runServerEntry(
          { ...PRODUCTION, PORT: String(await freePort()), ...storageEnv(dataDir) },
          { until: /listening on/ },
        );
        expect(run.stopped, run.stderr).toBe(true);
        expect(lines(run.stderr)).toEqual([]);
      } finally {
        await dropStorage(dataDir);
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    ENTRY_TEST_TIMEOUT_MS,
  );
});
