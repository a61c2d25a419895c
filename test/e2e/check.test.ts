import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { describe, expect, it } from 'vitest';
import { formLoginAgent } from '../../src/check/login-agent.js';
import { formatReport } from '../../src/check/report.js';
import { runCheck } from '../../src/check/run.js';
import type { CreateResult } from '../../src/create.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * `check --login` against real generated servers (sqlite, each framework): rendered, installed, started with
 * `npx tsx src/server.ts`, signed in by the form agent. Every check must pass. The tables land in .tmp/.
 */

const ACCOUNT = { email: 'check@example.com', password: 'check-password-for-e2e' };
const FRAMEWORKS = (process.env.CHECK_E2E_FRAMEWORKS ?? 'express,fastify,hono').split(',');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once the server listens; wrapped, because a ResultPromise awaited would wait for the exit. */
async function startServer(dir: string, port: number): Promise<{ child: ResultPromise }> {
  // tsx itself, not npx: npx does not pass SIGTERM on, and the test would wait for a server that never stops.
  const child = execa(path.join(dir, 'node_modules', '.bin', 'tsx'), ['src/server.ts'], {
    forceKillAfterDelay: 5_000,
    cwd: dir,
    // Only what the server needs: a DATABASE_URL or REDIS_URL set for the other suites must not reach it.
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SESSION_SECRET: 'e2e-check-session-secret-0123456789abcdefghij',
      BOOTSTRAP_USER_EMAIL: ACCOUNT.email,
      BOOTSTRAP_USER_PASSWORD: ACCOUNT.password,
    },
    reject: false,
    all: true,
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 60_000);
    child.all!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void child.then(() => reject(new Error(`the server exited:\n${output}`)));
  });
  return { child };
}

describe('check against generated servers', () => {
  for (const framework of FRAMEWORKS) {
    it(`${framework}+sqlite: every check of check --login passes`, async () => {
      const cwd = await makeTempDir();
      const created = await runCli(
        [`check-${framework}`, '--framework', framework, '--storage', 'sqlite', '--yes', '--json', '--no-git', '--no-verify'],
        { cwd },
      );
      expect(created.exitCode, created.stderr.slice(-4000)).toBe(0);
      const project = (JSON.parse(created.stdout) as CreateResult).dir;
      const port = await freePort();
      const { child: server } = await startServer(project, port);
      try {
        const report = await runCheck({
          url: `http://127.0.0.1:${port}/mcp`,
          login: { agent: formLoginAgent(ACCOUNT), timeoutMs: 30_000 },
        });
        const table = formatReport(report, process.stdout);
        const out = path.join(REPO_ROOT, '.tmp');
        await mkdir(out, { recursive: true });
        await writeFile(path.join(out, `check-${framework}-sqlite.txt`), table);
        console.log(`\ncheck --login against ${framework}+sqlite\n${table}`);
        expect(report.reachable).toBe(true);
        const failed = report.results.filter((result) => result.status === 'fail').map((result) => `${result.id}: ${result.title} — ${result.detail}`);
        expect(failed).toEqual([]);
      } finally {
        server.kill('SIGTERM');
        await server;
      }
    });
  }
});
