import { accessSync, constants } from 'node:fs';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { CreateResult } from '../../src/create.js';
import { SUPPORTED_COMBINATIONS } from '../../src/options.js';
import { parseVitestSummary, type TestCounts } from '../../src/steps/vitest-summary.js';
import { STORAGE_SERVERS } from '../../src/storage-servers.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * Every framework x storage combination: rendered outside the repository, installed, type-checked and
 * run through its own suite by the CLI's verify step, against real PostgreSQL and Redis servers.
 * One sqlite project per framework also runs its browser suite in Chromium.
 */

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** CI installs and starts every service; a developer machine may lack them and is told what was left out. */
const REQUIRE_SERVICES = process.env.CI === 'true';
/** `E2E_COMBINATIONS=express+postgres,hono+redis` runs only those (the fresh-machine step of .ci/run). */
const ONLY = process.env.E2E_COMBINATIONS?.split(',').map((combination) => combination.trim());

function chromiumUsable(): boolean {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

interface MatrixRow {
  combination: string;
  tests: TestCounts | null;
  createSeconds: number;
  installSeconds: number;
  verifySeconds: number;
  browser: TestCounts | null | 'not run';
  notRun?: string;
}

/** What this run left out for want of a service, each named once with how to run it. */
const notRun = new Map<string, string[]>();
function leftOut(what: string, combination: string): void {
  notRun.set(what, [...(notRun.get(what) ?? []), combination]);
}

const rows: MatrixRow[] = [];
const seconds = (ms: number) => Math.round(ms / 100) / 10;

async function runBrowserSuite(dir: string): Promise<TestCounts | null> {
  const run = await execa('npm', ['run', 'test:browser'], {
    cwd: dir,
    env: { CI: 'true', CHROMIUM_PATH: CHROMIUM },
    reject: false,
    all: true,
  });
  expect(run.exitCode, run.all?.slice(-4000)).toBe(0);
  return parseVitestSummary(run.all ?? '');
}

function printMatrix(): void {
  const format = (counts: TestCounts | null | 'not run') =>
    counts === null ? 'no summary' : counts === 'not run' ? '-' : `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
  const lines = [
    '| combination | tests | browser tests | create (s) | install (s) | type check + tests (s) |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.combination} | ${format(row.tests)}${row.notRun ? ' (partial: see NOT RUN)' : ''} | ${format(row.browser)} | ${row.createSeconds} | ${row.installSeconds} | ${row.verifySeconds} |`,
    ),
  ];
  const notices = [...notRun].map(([what, combinations]) => `NOT RUN in ${combinations.join(', ')}: ${what}`);
  if (notices.length > 0) notices.push('`sudo bash .ci/run` installs and starts every service, then runs `npm test` with all of them.');
  console.log(`\nEnd-to-end matrix\n${lines.join('\n')}\n${notices.map((line) => `${line}\n`).join('')}`);
}

afterAll(async () => {
  printMatrix();
  const out = path.join(REPO_ROOT, '.tmp');
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, 'e2e-matrix.json'), `${JSON.stringify(rows, null, 2)}\n`);
});

describe('end-to-end matrix', () => {
  const browserFrameworks = new Set<string>();

  for (const { framework, storage } of SUPPORTED_COMBINATIONS) {
    const combination = `${framework}+${storage}`;
    if (ONLY && !ONLY.includes(combination)) continue;
    it(`${combination}: creates, installs, type-checks and passes its own suite`, async () => {
      const server = STORAGE_SERVERS[storage];
      const serverMissing = server !== undefined && !process.env[server.envVar];
      if (serverMissing && REQUIRE_SERVICES) {
        throw new Error(`${server.envVar} is not set: .ci/run starts the services (scripts/start-test-services.sh)`);
      }
      const cwd = await makeTempDir();
      const started = Date.now();
      const { exitCode, stdout, stderr } = await runCli(
        [combination.replace('+', '-'), '--framework', framework, '--storage', storage, '--yes', '--json', '--no-git'],
        { cwd },
      );
      const createSeconds = seconds(Date.now() - started);
      expect(exitCode, stderr.slice(-4000)).toBe(0);
      const result = JSON.parse(stdout) as CreateResult;
      expect(result.install?.ok).toBe(true);
      expect(result.verify?.ok).toBe(true);
      expect(result.verify?.tests?.failed).toBe(0);
      expect(result.verify?.tests?.passed).toBeGreaterThan(0);
      if (server && serverMissing) {
        expect(result.verify?.notRun).toBe(server.notRun);
        leftOut(result.verify!.notRun!, combination);
      } else {
        expect(result.verify?.notRun).toBeUndefined();
      }

      let browser: MatrixRow['browser'] = 'not run';
      if (storage === 'sqlite' && !browserFrameworks.has(framework)) {
        browserFrameworks.add(framework);
        const chromiumFound = chromiumUsable();
        if (REQUIRE_SERVICES) expect(chromiumFound, `no executable Chromium at ${CHROMIUM}`).toBe(true);
        if (chromiumFound) {
          browser = await runBrowserSuite(result.dir);
          expect(browser?.failed).toBe(0);
          expect(browser?.passed).toBeGreaterThan(0);
        } else {
          leftOut(`the browser suite (no executable Chromium at ${CHROMIUM}); install Debian's chromium or set CHROMIUM_PATH to run it.`, combination);
        }
      }
      rows.push({
        combination,
        tests: result.verify?.tests ?? null,
        createSeconds,
        installSeconds: seconds(result.install?.durationMs ?? 0),
        verifySeconds: seconds(result.verify?.durationMs ?? 0),
        browser,
        notRun: result.verify?.notRun,
      });
    });
  }
});
