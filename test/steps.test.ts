import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  formatCommand,
  installCommand,
  quietInstallCommand,
  scriptCommand,
  shellQuote,
} from '../src/package-manager.js';
import { initGitRepository } from '../src/steps/git.js';
import { installDependencies } from '../src/steps/install.js';
import { outputTail } from '../src/steps/run-command.js';
import { verifyProject } from '../src/steps/verify.js';
import { formatTestCounts, parseVitestSummary } from '../src/steps/vitest-summary.js';
import { createRecordingUi } from './helpers/recording-ui.js';
import { makeTempDir } from './helpers/temp-dir.js';

describe('parseVitestSummary', () => {
  it('reads a passing run', () => {
    const output = [
      ' ✓ test/quirks/consent-302.test.ts (3 tests) 120ms',
      '',
      ' Test Files  12 passed (12)',
      '      Tests  63 passed (63)',
      '   Start at  10:00:00',
    ].join('\n');
    expect(parseVitestSummary(output)).toEqual({ passed: 63, failed: 0, skipped: 0 });
  });

  it('reads failed, skipped and todo counts, and ignores colours', () => {
    const output =
      '\u001b[2m      Tests \u001b[22m \u001b[1m\u001b[31m2 failed\u001b[39m\u001b[22m\u001b[2m | \u001b[22m\u001b[1m\u001b[32m58 passed\u001b[39m\u001b[22m\u001b[2m | \u001b[22m\u001b[33m3 skipped\u001b[39m\u001b[2m | \u001b[22m1 todo\u001b[90m (64)\u001b[39m';
    expect(parseVitestSummary(output)).toEqual({ passed: 58, failed: 2, skipped: 4 });
  });

  it('takes the last summary when a run prints several (watch reruns, several projects)', () => {
    expect(parseVitestSummary('      Tests  1 failed (1)\n...\n      Tests  2 passed (2)\n')).toEqual({
      passed: 2,
      failed: 0,
      skipped: 0,
    });
  });

  it('returns null without a summary line', () => {
    expect(parseVitestSummary('npm ERR! missing script: test')).toBeNull();
    expect(parseVitestSummary(' Test Files  no tests')).toBeNull();
  });

  it('formats counts, leaving zero failures and skips out', () => {
    expect(formatTestCounts({ passed: 5, failed: 0, skipped: 0 })).toBe('5 passed');
    expect(formatTestCounts({ passed: 5, failed: 1, skipped: 2 })).toBe('5 passed, 1 failed, 2 skipped');
  });
});

describe('package manager commands', () => {
  it('spells install, scripts and the test shortcut per package manager', () => {
    expect(formatCommand(installCommand('npm'))).toBe('npm install');
    expect(formatCommand(quietInstallCommand('npm'))).toBe('npm install --no-audit --no-fund');
    expect(formatCommand(quietInstallCommand('pnpm'))).toBe('pnpm install');
    expect(formatCommand(scriptCommand('npm', 'test'))).toBe('npm test');
    expect(formatCommand(scriptCommand('yarn', 'test'))).toBe('yarn test');
    expect(formatCommand(scriptCommand('bun', 'test'))).toBe('bun run test');
    expect(formatCommand(scriptCommand('npm', 'user:add', ['a@example.com', 'pass word']))).toBe(
      "npm run user:add -- a@example.com 'pass word'",
    );
    expect(formatCommand(scriptCommand('pnpm', 'user:add', ['a@example.com']))).toBe('pnpm run user:add a@example.com');
  });

  it('quotes for a POSIX shell only when needed', () => {
    expect(shellQuote('my-server')).toBe('my-server');
    expect(shellQuote('/tmp/with space')).toBe("'/tmp/with space'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('keeps the tail of long output and says how much was left out', () => {
    const output = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join('\n');
    const tail = outputTail(`\n\n${output}\n\n`, 3);
    expect(tail).toBe('… (47 earlier lines)\nline 48\nline 49\nline 50');
    expect(outputTail('\n\nonly\n')).toBe('only');
  });
});

async function projectWith(pkg: object): Promise<string> {
  const dir = await makeTempDir();
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'step-test', version: '0.0.0', ...pkg }));
  return dir;
}

describe('install and verify steps', () => {
  it('a failed install reports the plain command to rerun and the end of its output', async () => {
    // an invalid version range fails inside npm, before any registry request
    const dir = await projectWith({ dependencies: { missing: 'not a valid range!!' } });
    const ui = createRecordingUi();
    const outcome = await installDependencies(dir, 'npm', ui);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure!.command).toBe('npm install');
    expect(outcome.failure!.outputTail).toContain('EINVALIDTAGNAME');
    expect(ui.text()).toContain('task failed: Install failed after');
  });

  it('a package manager that is not on PATH fails cleanly instead of throwing', async () => {
    const dir = await projectWith({});
    const path = process.env.PATH;
    process.env.PATH = dir;
    try {
      const outcome = await installDependencies(dir, 'pnpm', createRecordingUi());
      expect(outcome.ok).toBe(false);
      expect(outcome.failure!.command).toBe('pnpm install');
      expect(outcome.failure!.outputTail).toMatch(/^pnpm install: .*ENOENT/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('verify runs typecheck and test side by side, with CI=true, and parses the counts', async () => {
    const dir = await projectWith({
      scripts: {
        typecheck: 'node -e "process.exit(0)"',
        test: 'node -e "console.log(\'      Tests  7 passed | 2 skipped (9) CI=\' + process.env.CI)"',
      },
    });
    const ui = createRecordingUi();
    const outcome = await verifyProject(dir, 'npm', ui);
    expect(outcome).toEqual({ ok: true, durationMs: expect.any(Number), tests: { passed: 7, failed: 0, skipped: 2 } });
    expect(ui.text()).toMatch(/task ok: Type check and tests passed in .* \(7 passed, 2 skipped\)/);
  });

  it('verify reports a failed type check first, with the test counts it still got', async () => {
    const dir = await projectWith({
      scripts: {
        typecheck: 'node -e "console.error(\'src/a.ts(1,1): error TS2304\'); process.exit(2)"',
        test: 'node -e "console.log(\'      Tests  3 passed (3)\')"',
      },
    });
    const ui = createRecordingUi();
    const outcome = await verifyProject(dir, 'npm', ui);
    expect(outcome).toMatchObject({ ok: false, tests: { passed: 3, failed: 0, skipped: 0 } });
    expect(outcome.failure).toMatchObject({ command: 'npm run typecheck' });
    expect(outcome.failure!.outputTail).toContain('error TS2304');
    expect(ui.text()).toContain('task failed: Type check failed after');
  });

  it('verify runs the two at once: two scripts that each wait for the other both finish', async () => {
    // each script waits until the other has left its mark, so run one after the other they would hang
    const wait = (mine: string, theirs: string) =>
      `node -e "const fs=require('fs');fs.writeFileSync('${mine}','');const t=setInterval(()=>{if(fs.existsSync('${theirs}')){clearInterval(t);console.log('      Tests  1 passed (1)')}},20)"`;
    const dir = await projectWith({ scripts: { typecheck: wait('typecheck.started', 'test.started'), test: wait('test.started', 'typecheck.started') } });
    const outcome = await verifyProject(dir, 'npm', createRecordingUi());
    expect(outcome).toMatchObject({ ok: true, tests: { passed: 1 } });
  });
});

describe('git step', () => {
  const saved = { ...process.env };
  beforeEach(async () => {
    // no global or system git identity: the step must bring its own author
    const home = await makeTempDir();
    process.env.HOME = home;
    process.env.XDG_CONFIG_HOME = home;
    process.env.GIT_CONFIG_NOSYSTEM = '1';
    delete process.env.GIT_CONFIG_GLOBAL;
    delete process.env.GIT_AUTHOR_NAME;
    delete process.env.GIT_AUTHOR_EMAIL;
    delete process.env.GIT_COMMITTER_NAME;
    delete process.env.GIT_COMMITTER_EMAIL;
    delete process.env.EMAIL;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('creates a repository on main with one commit, without a configured identity', async () => {
    const dir = await makeTempDir();
    await writeFile(path.join(dir, 'README.md'), '# hi\n');
    await mkdir(path.join(dir, 'src'));
    await writeFile(path.join(dir, 'src', 'a.ts'), 'export {};\n');
    const outcome = await initGitRepository(dir, createRecordingUi());
    expect(outcome).toEqual({ ok: true, durationMs: expect.any(Number) });
    const log = await execa('git', ['log', '--format=%an <%ae>|%s', '--name-only'], { cwd: dir });
    expect(log.stdout).toContain(
      'create-mcp-oauth-server <create-mcp-oauth-server@users.noreply.github.com>|Initial commit from create-mcp-oauth-server',
    );
    expect(log.stdout).toContain('src/a.ts');
    expect((await execa('git', ['branch', '--show-current'], { cwd: dir })).stdout).toBe('main');
  });

  it('keeps the user identity when one is configured', async () => {
    await execa('git', ['config', '--global', 'user.name', 'Ada']);
    await execa('git', ['config', '--global', 'user.email', 'ada@example.com']);
    const dir = await makeTempDir();
    await writeFile(path.join(dir, 'x'), '');
    await initGitRepository(dir, createRecordingUi());
    expect((await execa('git', ['log', '--format=%an <%ae>'], { cwd: dir })).stdout).toBe('Ada <ada@example.com>');
  });

  it('skips a directory that is already inside a repository', async () => {
    const outer = await makeTempDir();
    await execa('git', ['init', '--quiet'], { cwd: outer });
    const inner = path.join(outer, 'packages', 'server');
    await mkdir(inner, { recursive: true });
    const ui = createRecordingUi();
    const outcome = await initGitRepository(inner, ui);
    expect(outcome).toMatchObject({ ok: true, skipped: 'the directory is already inside a git repository' });
    expect(ui.text()).toContain('info: Skipped git init');
  });
});
