import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startupWarnings } from '../../src/startup-warnings.js';
import { ENTRY_TEST_TIMEOUT_MS, lines, runServerEntry } from '../helpers/server-entry.js';
import { freePort, TEST_SESSION_SECRET } from '../helpers/server.js';
import { REQUIRED_STORAGE_ENV, dropStorage, storageEnv } from '../helpers/storage-env.js';

function warningsFor(publicUrl: string): string[] {
  return startupWarnings(
    loadConfig({
      PUBLIC_URL: publicUrl,
      SESSION_SECRET: TEST_SESSION_SECRET,
      ...REQUIRED_STORAGE_ENV,
    }),
  );
}

/** Starts src/server.ts with `publicUrl` until it listens, and returns what it wrote to stderr. */
async function startupStderr(publicUrl: string): Promise<string[]> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-oauth-entry-'));
  try {
    const run = await runServerEntry(
      {
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        PUBLIC_URL: publicUrl,
        SESSION_SECRET: TEST_SESSION_SECRET,
        ...storageEnv(dataDir),
      },
      { until: /listening on/ },
    );
    expect(run.stopped, run.stderr).toBe(true);
    return lines(run.stderr);
  } finally {
    await dropStorage(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('quirk public-port-443: an https PUBLIC_URL on another port gets one warning naming claude.ai', () => {
  it('warns once for https on port 8443, naming claude.ai and the port', () => {
    const warnings = warningsFor('https://mcp.example.com:8443');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/claude\.ai/);
    expect(warnings[0]).toMatch(/8443/);
    expect(warnings[0]).not.toContain('\n');
  });

  it('does not warn for https on 443, written or implied, or for http on loopback', () => {
    for (const publicUrl of [
      'https://mcp.example.com',
      'https://mcp.example.com:443',
      'https://example.com:443/tools',
      'http://localhost:3000',
      'http://127.0.0.1:8443',
    ]) {
      expect(warningsFor(publicUrl), publicUrl).toEqual([]);
    }
  });

  it(
    'the real server entry prints exactly that one line at start, and still starts',
    async () => {
      const stderr = await startupStderr('https://mcp.example.test:8443');
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toMatch(/claude\.ai/);
    },
    ENTRY_TEST_TIMEOUT_MS,
  );

  it(
    'the real server entry prints nothing on stderr for https on 443',
    async () => {
      expect(await startupStderr('https://mcp.example.test')).toEqual([]);
    },
    ENTRY_TEST_TIMEOUT_MS,
  );
});
