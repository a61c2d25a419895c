import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formLoginAgent } from '../../src/check/login-agent.js';
import { formatReport } from '../../src/check/report.js';
import { runCheck } from '../../src/check/run.js';
import type { CreateResult } from '../../src/create.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { startProjectServer } from '../helpers/project-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * `check --login` against real generated servers (sqlite, each framework): rendered, installed, started with
 * `npx tsx src/server.ts`, signed in by the form agent. Every check must pass. The tables land in .tmp/.
 */

const ACCOUNT = { email: 'check@example.com', password: 'check-password-for-e2e' };
const FRAMEWORKS = (process.env.CHECK_E2E_FRAMEWORKS ?? 'express,fastify,hono').split(',');

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
      const server = await startProjectServer(project, {
        SESSION_SECRET: 'e2e-check-session-secret-0123456789abcdefghij',
        BOOTSTRAP_USER_EMAIL: ACCOUNT.email,
        BOOTSTRAP_USER_PASSWORD: ACCOUNT.password,
      });
      try {
        const report = await runCheck({
          url: `${server.url}/mcp`,
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
        await server.stop();
      }
    });
  }
});
