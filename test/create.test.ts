import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCreate, type CreateResult } from '../src/create.js';
import { QUIRK_IDS } from '../src/quirks.js';
import { hashContents, type Manifest } from '../src/render/manifest.js';
import type { CreateFlags } from '../src/resolve-plan.js';
import { GENERATOR_VERSION } from '../src/version.js';
import { createRecordingUi } from './helpers/recording-ui.js';
import { makeTempDir } from './helpers/temp-dir.js';

const FIXTURE_TEMPLATES = fileURLToPath(new URL('fixtures/templates', import.meta.url));

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

async function create(flags: CreateFlags, cwd: string) {
  const stdout = new Capture();
  const ui = createRecordingUi();
  const exitCode = await runCreate(flags, {
    cwd,
    env: {},
    stdout,
    stderr: new Capture(),
    stdinIsTTY: false,
    stdoutIsTTY: false,
    templatesDir: FIXTURE_TEMPLATES,
    ui,
  });
  return { exitCode, stdout: stdout.text, ui };
}

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

const renderOnly: CreateFlags = { install: false, git: false };

describe('writing a project', () => {
  it('writes every rendered file, the .env and the manifest, and nothing else', async () => {
    const cwd = await makeTempDir();
    const { exitCode } = await create({ dir: 'app', ...renderOnly }, cwd);
    expect(exitCode).toBe(0);
    expect(await listTree(path.join(cwd, 'app'))).toEqual([
      '.env',
      '.env.example',
      '.gitignore',
      '.mcp-oauth-server.base.json',
      '.mcp-oauth-server.json',
      'notes.txt',
      'package.json',
      'scripts/fake-check.mjs',
      'src/adapter.ts',
      'src/app.ts',
      'src/storage/kind.ts',
      'src/tools/hello.ts',
      'versions.txt',
    ]);
  });

  it('records answers, quirk ids, version and a hash and ownership per file that match the disk', async () => {
    const cwd = await makeTempDir();
    await create({ dir: 'app', storage: 'memory', scopes: 'notes:read', ...renderOnly }, cwd);
    const dir = path.join(cwd, 'app');
    const manifest = JSON.parse(await readFile(path.join(dir, '.mcp-oauth-server.json'), 'utf8')) as Manifest;

    expect(manifest.generator).toEqual({ name: 'create-mcp-oauth-server', version: GENERATOR_VERSION });
    expect(manifest.answers).toEqual({
      projectName: 'app',
      framework: 'express',
      storage: 'memory',
      scopes: ['notes:read'],
      login: 'local',
    });
    expect(manifest.quirks).toEqual(QUIRK_IDS);
    const generatorFiles = ['.env', '.mcp-oauth-server.json', '.mcp-oauth-server.base.json'];
    const onDisk = (await listTree(dir)).filter((file) => !generatorFiles.includes(file));
    expect(Object.keys(manifest.files).sort()).toEqual(onDisk);
    for (const [file, entry] of Object.entries(manifest.files)) {
      expect(entry.hash, file).toBe(hashContents(await readFile(path.join(dir, file))));
    }
    expect(manifest.files['package.json']!.ownership).toBe('merged');
    expect(manifest.files['src/tools/hello.ts']!.ownership).toBe('sample');
    expect(manifest.files['src/app.ts']!.ownership).toBe('managed');
  });

  it('puts a fresh SESSION_SECRET into an owner-only .env, never into the manifest or tracked files', async () => {
    const cwd = await makeTempDir();
    await create({ dir: 'one', ...renderOnly }, cwd);
    await create({ dir: 'two', ...renderOnly }, cwd);
    const secretOf = async (dir: string) => {
      const env = await readFile(path.join(cwd, dir, '.env'), 'utf8');
      // the rendered .env.example with its SESSION_SECRET line filled in
      expect(env).toMatch(/^# Copy to \.env\nPORT=3000\nSESSION_SECRET=[\w-]{43}\n$/);
      return /SESSION_SECRET=(.+)/.exec(env)![1]!;
    };
    const secret = await secretOf('one');
    expect(secret).not.toBe(await secretOf('two'));
    expect(((await stat(path.join(cwd, 'one', '.env'))).mode & 0o777).toString(8)).toBe('600');

    const manifestText = await readFile(path.join(cwd, 'one', '.mcp-oauth-server.json'), 'utf8');
    expect(manifestText).not.toContain(secret);
    expect(manifestText).not.toContain('"' + '.env"');
    for (const file of await listTree(path.join(cwd, 'one'))) {
      if (file === '.env') continue;
      expect(await readFile(path.join(cwd, 'one', file), 'utf8'), file).not.toContain(secret);
    }
    expect(await readFile(path.join(cwd, 'one', '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
  });

  it('--overwrite replaces the contents but keeps node_modules and .git', async () => {
    const cwd = await makeTempDir();
    const dir = path.join(cwd, 'app');
    await mkdir(path.join(dir, 'node_modules', 'dep'), { recursive: true });
    await writeFile(path.join(dir, 'node_modules', 'dep', 'index.js'), 'installed');
    await mkdir(path.join(dir, '.git'));
    await writeFile(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(path.join(dir, 'stale.ts'), 'from an older render');

    const { exitCode } = await create({ dir: 'app', overwrite: true, ...renderOnly }, cwd);
    expect(exitCode).toBe(0);
    expect(await readFile(path.join(dir, 'node_modules', 'dep', 'index.js'), 'utf8')).toBe('installed');
    expect(existsSync(path.join(dir, '.git', 'HEAD'))).toBe(true);
    expect(existsSync(path.join(dir, 'stale.ts'))).toBe(false);
    expect(existsSync(path.join(dir, 'src', 'app.ts'))).toBe(true);
  });
});

describe('--dry-run', () => {
  it('prints the file plan with ownership and size, and writes nothing', async () => {
    const cwd = await makeTempDir();
    const { exitCode, stdout } = await create({ dir: 'planned', dryRun: true }, cwd);
    expect(exitCode).toBe(0);
    expect(existsSync(path.join(cwd, 'planned'))).toBe(false);
    expect(stdout).toContain('Dry run: would create planned (Express + SQLite, scopes mcp:read mcp:write)');
    expect(stdout).toMatch(/^ {2}merged +\d+ B {2}package\.json$/m);
    expect(stdout).toMatch(/^ {2}sample +\d+ B {2}src\/tools\/hello\.ts$/m);
    expect(stdout).toMatch(/^ {2}managed +\d+ B {2}src\/app\.ts$/m);
    expect(stdout).toContain('10 files');
    expect(stdout).toContain('then: npm install, git init + first commit, npm run typecheck, npm test');
    expect(stdout).toContain('Nothing was written.');
  });

  it('with --json prints the plan as JSON only', async () => {
    const cwd = await makeTempDir();
    const { stdout } = await create({ dir: 'planned', dryRun: true, json: true }, cwd);
    const result = JSON.parse(stdout) as CreateResult;
    expect(result).toMatchObject({
      ok: true,
      dryRun: true,
      dir: path.join(cwd, 'planned'),
      install: null,
      verify: null,
    });
    expect(result.files).toContainEqual({
      path: 'src/tools/hello.ts',
      ownership: 'sample',
      bytes: Buffer.byteLength("export const hello = 'sample';\n"),
    });
    expect(existsSync(path.join(cwd, 'planned'))).toBe(false);
  });
});

describe('install, verify and git', () => {
  const savedChecks = process.env.FIXTURE_CHECKS;
  afterEach(() => {
    if (savedChecks === undefined) delete process.env.FIXTURE_CHECKS;
    else process.env.FIXTURE_CHECKS = savedChecks;
  });

  it('runs all steps and reports test counts in the JSON result', async () => {
    const cwd = await makeTempDir();
    const { exitCode, stdout, ui } = await create({ dir: 'full', json: true }, cwd);
    const result = JSON.parse(stdout) as CreateResult;
    expect(exitCode).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.install).toEqual({ ok: true, durationMs: expect.any(Number) });
    expect(result.verify).toEqual({
      ok: true,
      durationMs: expect.any(Number),
      tests: { passed: 5, failed: 0, skipped: 1 },
    });
    expect(result.git).toEqual({ ok: true, durationMs: expect.any(Number) });
    expect(existsSync(path.join(cwd, 'full', 'package-lock.json'))).toBe(true);
    expect(existsSync(path.join(cwd, 'full', '.git'))).toBe(true);
    expect(ui.text()).toContain('task ok: Type check and tests passed');
    expect(ui.text()).toContain('(5 passed, 1 skipped)');
  });

  it('a failing test suite exits 1, keeps the files and names the command to rerun', async () => {
    process.env.FIXTURE_CHECKS = 'fail-test';
    const cwd = await makeTempDir();
    const { exitCode, stdout, ui } = await create({ dir: 'red', json: true, git: false }, cwd);
    const result = JSON.parse(stdout) as CreateResult;
    expect(exitCode).toBe(1);
    expect(result.ok).toBe(false);
    expect(result.verify).toMatchObject({ ok: false, tests: { passed: 4, failed: 1, skipped: 1 } });
    expect(result.error).toMatchObject({ message: 'verification failed', rerun: 'cd red && npm test' });
    expect(result.error!.outputTail).toContain('FAIL  test/flow.test.ts > consent-302');
    expect(existsSync(path.join(cwd, 'red', '.mcp-oauth-server.json'))).toBe(true);
    expect(ui.text()).toContain('outro: Fix the problem, then rerun: cd red && npm test');
  });

  it('a failing type check fails verify and names npm run typecheck, though the tests ran beside it', async () => {
    process.env.FIXTURE_CHECKS = 'fail-typecheck';
    const cwd = await makeTempDir();
    const { exitCode, stdout } = await create({ dir: 'types', json: true, git: false }, cwd);
    const result = JSON.parse(stdout) as CreateResult;
    expect(exitCode).toBe(1);
    expect(result.verify).toMatchObject({ ok: false });
    expect(result.error).toMatchObject({ rerun: 'cd types && npm run typecheck' });
    expect(result.error!.outputTail).toContain('error TS1000: fixture type error');
  });
});
