import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUIRK_IDS, QUIRKS } from '../src/quirks.js';
import { hashContents, MANIFEST_FILE, type Manifest } from '../src/render/manifest.js';
import { renderProject, type RenderedFile } from '../src/render/render.js';
import { BASE_FILE, buildBaseFile, serializeBaseFile } from '../src/regenerate/base-render.js';
import type { RegenerateResult } from '../src/regenerate/report.js';
import { GENERATOR_VERSION } from '../src/version.js';
import {
  ANSWERS,
  asOlderVersion,
  commitAll,
  edit,
  git,
  MISSING_QUIRK,
  OLDER_DOTENV,
  OLDER_VERSION,
  PATCHED_REDIRECT,
  replaceOnce,
  UNPATCHED_REDIRECT,
  writeGeneratedProject,
} from './fixtures/regenerate/project.js';
import { runCli } from './helpers/cli.js';
import { makeTempDir } from './helpers/temp-dir.js';

/** Each test runs the built CLI, which renders the real templates (a few seconds under load). */
const SLOW = 120_000;
const FAST_FLAGS = ['--no-install', '--no-verify'];

const MISSING_QUIRK_RULE = QUIRKS.find((quirk) => quirk.id === MISSING_QUIRK)!.rule;

// the user's three edits
const BODY_LIMITS_DOC = '/** Largest bodies accepted';
const USER_COMMENT = '// Our proxy caps request bodies at 8 MB; keep these below it.\n';
const addUserComment = (text: string) =>
  replaceOnce(text, BODY_LIMITS_DOC, `${USER_COMMENT}${BODY_LIMITS_DOC}`, 'http.ts');
const WHOAMI_DESCRIPTION = 'Shows which user and client this connection acts for, and the scopes it holds.';
const USER_DESCRIPTION = 'Tells the caller who they are, as this server sees them.';
const USER_DEV_SCRIPT = 'tsx watch --clear-screen=false src/server.ts';
// the user's edit of the very line the consent-302 patch changes
const CONFLICTING_REDIRECT =
  "  return { status: 303, headers: { location, 'cache-control': 'no-store', ...headers } };";

type Pkg = {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

let current: RenderedFile[];
let older: RenderedFile[];
const contentsOf = (files: readonly RenderedFile[], file: string) => files.find((f) => f.path === file)!.contents;

beforeAll(async () => {
  current = await renderProject(ANSWERS);
  older = asOlderVersion(current);
}, SLOW);

async function olderProject(): Promise<string> {
  const dir = path.join(await makeTempDir(), 'my-server');
  await writeGeneratedProject(dir, older, {
    version: OLDER_VERSION,
    quirks: QUIRK_IDS.filter((id) => id !== MISSING_QUIRK),
  });
  return dir;
}

async function currentProject(): Promise<string> {
  const dir = path.join(await makeTempDir(), 'my-server');
  await writeGeneratedProject(dir, current, { version: GENERATOR_VERSION });
  return dir;
}

/** Every file of the project except .git, with its contents. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((file) => !file.startsWith('.git/'))
    .sort();
  return new Map(
    await Promise.all(files.map(async (file) => [file, await readFile(path.join(dir, file), 'utf8')] as const)),
  );
}

async function readJson<T>(dir: string, file: string): Promise<T> {
  return JSON.parse(await readFile(path.join(dir, file), 'utf8')) as T;
}

async function gitStatus(dir: string): Promise<string> {
  return (await git(dir, ['status', '--porcelain'])).stdout;
}

async function applyUserEdits(dir: string): Promise<void> {
  await edit(dir, 'src/oauth/http.ts', addUserComment);
  await edit(dir, 'src/tools/whoami.ts', (text) =>
    replaceOnce(text, WHOAMI_DESCRIPTION, USER_DESCRIPTION, 'whoami.ts'),
  );
  await edit(dir, 'package.json', (text) => {
    const pkg = JSON.parse(text) as Pkg;
    pkg.dependencies.ms = '2.1.3';
    pkg.scripts.dev = USER_DEV_SCRIPT;
    return `${JSON.stringify(pkg, null, 2)}\n`;
  });
  await commitAll(dir, 'My edits');
}

describe('regenerate a project made by an older generator', () => {
  it(
    'keeps the managed, sample and package.json edits, carries the new patch and lists the quirk gained',
    async () => {
      const dir = await olderProject();
      await applyUserEdits(dir);

      const { exitCode, stdout, stderr } = await runCli(['regenerate', ...FAST_FLAGS], { cwd: dir });
      expect(exitCode, stderr).toBe(0);

      // the managed file: the user's comment and the consent-302 patch, merged
      const http = await readFile(path.join(dir, 'src/oauth/http.ts'), 'utf8');
      expect(http).toBe(addUserComment(contentsOf(current, 'src/oauth/http.ts')));
      expect(http).toContain(PATCHED_REDIRECT);
      expect(http).not.toContain('status: 303');
      // the sample file: untouched
      expect(await readFile(path.join(dir, 'src/tools/whoami.ts'), 'utf8')).toContain(USER_DESCRIPTION);
      // package.json: the user's dependency and script kept, the generator's dotenv bump applied
      const pkg = await readJson<Pkg>(dir, 'package.json');
      const expected = JSON.parse(contentsOf(current, 'package.json')) as Pkg;
      expect(pkg.dependencies).toEqual({ ...expected.dependencies, ms: '2.1.3' });
      // in the user's order, dotenv updated in place
      expect(Object.keys(pkg.dependencies)).toEqual([...Object.keys(expected.dependencies), 'ms']);
      expect(pkg.scripts).toEqual({ ...expected.scripts, dev: USER_DEV_SCRIPT });
      expect(pkg.devDependencies).toEqual(expected.devDependencies);
      // the quirk's new test file, and every other file exactly as this generator renders it
      const edited = new Set(['src/oauth/http.ts', 'src/tools/whoami.ts', 'package.json']);
      for (const file of current.filter((f) => !edited.has(f.path))) {
        expect(await readFile(path.join(dir, file.path), 'utf8'), file.path).toBe(file.contents);
      }

      // the manifest and base file now record this version's render
      const manifest = await readJson<Manifest>(dir, MANIFEST_FILE);
      expect(manifest.generator.version).toBe(GENERATOR_VERSION);
      expect(manifest.quirks).toEqual(QUIRK_IDS);
      expect(manifest.files['src/oauth/http.ts']!.hash).toBe(hashContents(contentsOf(current, 'src/oauth/http.ts')));
      expect(await readFile(path.join(dir, BASE_FILE), 'utf8')).toBe(
        serializeBaseFile(buildBaseFile(current, GENERATOR_VERSION)),
      );

      // the report
      expect(stdout).toMatch(/merged\s+src\/oauth\/http\.ts/);
      expect(stdout).toMatch(new RegExp(`created\\s+test/quirks/${MISSING_QUIRK}\\.test\\.ts`));
      expect(stdout).toMatch(/merged\s+package\.json/);
      expect(stdout).toContain(`~ dependencies.dotenv ${OLDER_DOTENV} -> ${expected.dependencies.dotenv}`);
      expect(stdout).toContain(`generator ${OLDER_VERSION} -> ${GENERATOR_VERSION}`);
      expect(stdout).toContain('Quirk patches gained (1):');
      expect(stdout).toMatch(
        new RegExp(`${MISSING_QUIRK}\\s+${MISSING_QUIRK_RULE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );

      // the next regenerate has nothing left to do: it does not merge the same changes again
      await commitAll(dir, 'Regenerated');
      const again = await runCli(['regenerate', '--check'], { cwd: dir });
      expect(again.exitCode, again.stdout).toBe(0);
      expect(again.stdout).toContain(`Up to date with generator ${GENERATOR_VERSION}`);
    },
    SLOW,
  );

  it(
    'an edit of the lines the patch changes gets labelled markers and exit 2; every other file is as expected',
    async () => {
      const dir = await olderProject();
      await applyUserEdits(dir);
      await edit(dir, 'src/oauth/http.ts', (text) =>
        replaceOnce(text, UNPATCHED_REDIRECT, CONFLICTING_REDIRECT, 'http.ts'),
      );
      await commitAll(dir, 'A header on every redirect');
      const before = await snapshot(dir);

      const { exitCode, stdout, stderr } = await runCli(['regenerate', '--json', ...FAST_FLAGS], { cwd: dir });
      expect(exitCode, stderr).toBe(2);
      const result = JSON.parse(stdout) as RegenerateResult;
      expect(result).toMatchObject({ ok: false, mode: 'apply', written: true, conflicts: 1 });
      expect(result.files).toContainEqual(
        expect.objectContaining({ path: 'src/oauth/http.ts', action: 'conflicted', conflicts: 1 }),
      );
      expect(result.quirksGained).toEqual([{ id: MISSING_QUIRK, rule: MISSING_QUIRK_RULE }]);

      const http = await readFile(path.join(dir, 'src/oauth/http.ts'), 'utf8');
      const markers = [
        '<<<<<<< yours',
        CONFLICTING_REDIRECT,
        `||||||| generator ${OLDER_VERSION}`,
        UNPATCHED_REDIRECT,
        '=======',
        PATCHED_REDIRECT,
        `>>>>>>> generator ${GENERATOR_VERSION}`,
      ].join('\n');
      // the conflict, and the user's other edit in the same file merged cleanly around it
      expect(http).toBe(addUserComment(contentsOf(current, 'src/oauth/http.ts')).replace(PATCHED_REDIRECT, markers));

      // no other file damaged: each is the new render, or the user's merged edit
      const after = await snapshot(dir);
      const expectedPkg = JSON.parse(contentsOf(current, 'package.json')) as Pkg;
      expect(JSON.parse(after.get('package.json')!)).toMatchObject({
        dependencies: { ...expectedPkg.dependencies, ms: '2.1.3' },
        scripts: { ...expectedPkg.scripts, dev: USER_DEV_SCRIPT },
      });
      expect(after.get('src/tools/whoami.ts')).toBe(before.get('src/tools/whoami.ts'));
      const special = new Set(['src/oauth/http.ts', 'src/tools/whoami.ts', 'package.json', MANIFEST_FILE, BASE_FILE]);
      for (const file of current.filter((f) => !special.has(f.path)))
        expect(after.get(file.path), file.path).toBe(file.contents);
      expect([...after.keys()].filter((file) => !special.has(file))).toEqual(
        current
          .map((f) => f.path)
          .filter((file) => !special.has(file))
          .sort(),
      );

      // the manifest and base record the new render (so the resolution is never merged again); the
      // markers keep regenerate exiting 2 until they are resolved
      expect((await readJson<Manifest>(dir, MANIFEST_FILE)).generator.version).toBe(GENERATOR_VERSION);
      await commitAll(dir, 'Regenerated, with a conflict');
      const stillConflicted = await runCli(['regenerate', ...FAST_FLAGS], { cwd: dir });
      expect(stillConflicted.exitCode).toBe(2);
      expect(stillConflicted.stdout).toMatch(
        /conflicted\s+src\/oauth\/http\.ts\s+conflict markers from an earlier regenerate/,
      );
      expect(await readFile(path.join(dir, 'src/oauth/http.ts'), 'utf8')).toBe(http);

      // resolving (keeping the patch and the user's header) ends it
      await edit(dir, 'src/oauth/http.ts', (text) =>
        text.replace(
          markers,
          PATCHED_REDIRECT.replace('{ location, ...headers }', "{ location, 'cache-control': 'no-store', ...headers }"),
        ),
      );
      await commitAll(dir, 'Resolved');
      const resolved = await runCli(['regenerate', ...FAST_FLAGS], { cwd: dir });
      expect(resolved.exitCode, resolved.stdout).toBe(0);
      expect(resolved.stdout).toContain('nothing was written');
    },
    SLOW,
  );

  it(
    '--check exits 1 and --dry-run --json prints the plan as JSON; neither writes anything',
    async () => {
      const dir = await olderProject();
      await applyUserEdits(dir);
      const before = await snapshot(dir);

      const check = await runCli(['regenerate', '--check'], { cwd: dir });
      expect(check.exitCode, check.stderr).toBe(1);
      expect(check.stdout).toContain('Update available');
      expect(check.stdout).toContain(MISSING_QUIRK);

      const dryRun = await runCli(['regenerate', '--dry-run', '--json'], { cwd: dir });
      expect(dryRun.exitCode, dryRun.stderr).toBe(0);
      const plan = JSON.parse(dryRun.stdout) as RegenerateResult;
      expect(plan).toMatchObject({
        ok: true,
        mode: 'dry-run',
        written: false,
        updateAvailable: true,
        generator: { from: OLDER_VERSION, to: GENERATOR_VERSION },
        baseFile: { status: 'present' },
        conflicts: 0,
      });
      expect(plan.files).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'src/oauth/http.ts', action: 'merged', ownership: 'managed' }),
          expect.objectContaining({ path: 'package.json', action: 'merged', ownership: 'merged' }),
          expect.objectContaining({ path: `test/quirks/${MISSING_QUIRK}.test.ts`, action: 'created' }),
          expect.objectContaining({ path: 'src/tools/whoami.ts', action: 'kept', ownership: 'sample' }),
        ]),
      );
      expect(plan.summary).toMatchObject({ merged: 2, created: 1, kept: 1, conflicted: 0 });
      expect(plan.packageJson.changes).toEqual([
        {
          section: 'dependencies',
          key: 'dotenv',
          from: OLDER_DOTENV,
          to: JSON.parse(contentsOf(current, 'package.json')).dependencies.dotenv,
        },
      ]);

      const plainDryRun = await runCli(['regenerate', '--dry-run'], { cwd: dir });
      expect(plainDryRun.exitCode).toBe(0);
      expect(plainDryRun.stdout).toContain('Dry run: nothing was written.');

      expect(await snapshot(dir)).toEqual(before);
      expect(await gitStatus(dir)).toBe('');
    },
    SLOW,
  );
});

describe('regenerate a project made by this generator', () => {
  it(
    'right after create it changes nothing, and --check exits 0',
    async () => {
      const cwd = await makeTempDir();
      const created = await runCli(['my-server', '--yes', '--no-install'], { cwd });
      expect(created.exitCode, created.stderr).toBe(0);
      const dir = path.join(cwd, 'my-server');
      // create wrote the base render next to the manifest, and committed it
      expect(await readFile(path.join(dir, BASE_FILE), 'utf8')).toBe(
        serializeBaseFile(buildBaseFile(current, GENERATOR_VERSION)),
      );
      expect((await git(dir, ['ls-files', BASE_FILE])).stdout).toBe(BASE_FILE);
      const before = await snapshot(dir);

      const check = await runCli(['regenerate', 'my-server', '--check'], { cwd });
      expect(check.exitCode, check.stdout).toBe(0);
      const run = await runCli(['regenerate', 'my-server', ...FAST_FLAGS], { cwd });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toContain(`Up to date with generator ${GENERATOR_VERSION}: nothing was written.`);
      expect(await snapshot(dir)).toEqual(before);
      expect(await gitStatus(dir)).toBe('');
    },
    SLOW,
  );

  it(
    '--set storage=postgres creates the postgres store, removes the unedited sqlite files, keeps an edited one',
    async () => {
      const dir = await currentProject();
      const userNote = '// tuned for our disk\n';
      await edit(dir, 'src/storage/sqlite-schema.ts', (text) => userNote + text);
      await commitAll(dir, 'Tuned the schema');

      const { exitCode, stdout, stderr } = await runCli(['regenerate', '--set', 'storage=postgres', ...FAST_FLAGS], {
        cwd: dir,
      });
      expect(exitCode, stderr).toBe(0);
      const postgres = await renderProject({ ...ANSWERS, storage: 'postgres' });

      for (const file of postgres) {
        expect(await readFile(path.join(dir, file.path), 'utf8'), file.path).toBe(file.contents);
      }
      expect(existsSync(path.join(dir, 'src/storage/sqlite.ts'))).toBe(false);
      expect(existsSync(path.join(dir, 'test/storage-sqlite.test.ts'))).toBe(false);
      expect(await readFile(path.join(dir, 'src/storage/sqlite-schema.ts'), 'utf8')).toBe(
        userNote + contentsOf(current, 'src/storage/sqlite-schema.ts'),
      );

      const pkg = await readJson<Pkg>(dir, 'package.json');
      expect(pkg.dependencies).toHaveProperty('pg');
      expect(pkg.dependencies).not.toHaveProperty('libsql');
      expect(pkg.devDependencies).toHaveProperty('@types/pg');

      const manifest = await readJson<Manifest>(dir, MANIFEST_FILE);
      expect(manifest.answers).toEqual({ ...ANSWERS, storage: 'postgres' });
      expect(Object.keys(manifest.files).sort()).toEqual(postgres.map((file) => file.path).sort());

      expect(stdout).toContain('--set storage: sqlite -> postgres');
      expect(stdout).toMatch(/created\s+src\/storage\/postgres\.ts/);
      expect(stdout).toMatch(/removed\s+src\/storage\/sqlite\.ts/);
      expect(stdout).toMatch(
        /kept\s+src\/storage\/sqlite-schema\.ts\s+no longer generated; kept because you edited it/,
      );
      expect(stdout).toContain('+ dependencies.pg');
      expect(stdout).toContain('- dependencies.libsql');
    },
    SLOW,
  );
});

describe('refusals: one line on stderr, exit 1, nothing written', () => {
  it('a directory without a manifest', async () => {
    const cwd = await makeTempDir();
    const { exitCode, stdout, stderr } = await runCli(['regenerate'], { cwd });
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      "error: no .mcp-oauth-server.json in the current directory: regenerate updates a project made by create-mcp-oauth-server (run it in the project's directory or pass that directory)",
    );
    expect(await readdir(cwd)).toEqual([]);
  });

  it.each([
    [
      'not JSON',
      '{ "generator": ',
      /^error: \.mcp-oauth-server\.json is not valid JSON \(.+\); restore it with git, then rerun$/,
    ],
    [
      'not a manifest',
      JSON.stringify({ generator: { name: 'create-mcp-oauth-server', version: '0.1.0' }, answers: {} }),
      /^error: \.mcp-oauth-server\.json is not a create-mcp-oauth-server manifest: "answers.projectName" is missing$/,
    ],
  ])('a malformed manifest: %s', async (_name, text, message) => {
    const dir = await makeTempDir();
    await writeFile(path.join(dir, MANIFEST_FILE), text);
    const { exitCode, stderr } = await runCli(['regenerate', '--json'], { cwd: dir });
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(message);
    expect(await readdir(dir)).toEqual([MANIFEST_FILE]);
  });

  it(
    'uncommitted changes or no repository, unless --allow-dirty',
    async () => {
      const dir = await olderProject();
      await edit(dir, 'src/oauth/http.ts', addUserComment);
      await writeFile(path.join(dir, 'notes.md'), 'untracked\n');
      const before = await snapshot(dir);

      const refused = await runCli(['regenerate'], { cwd: dir });
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toBe(
        'error: the current directory has uncommitted changes (src/oauth/http.ts, notes.md): commit or stash first, so that what regenerate changes can be reviewed and undone with git, or pass --allow-dirty',
      );
      expect(await snapshot(dir)).toEqual(before);

      await rm(path.join(dir, '.git'), { recursive: true });
      const noRepository = await runCli(['regenerate'], { cwd: dir });
      expect(noRepository.exitCode).toBe(1);
      expect(noRepository.stderr).toBe(
        'error: the current directory is not in a git repository: git init and commit the project first, or pass --allow-dirty',
      );
      expect(await snapshot(dir)).toEqual(before);

      // allowed: the uncommitted edit is merged like any other, the untracked file left alone
      const allowed = await runCli(['regenerate', '--allow-dirty', ...FAST_FLAGS], { cwd: dir });
      expect(allowed.exitCode, allowed.stderr).toBe(0);
      expect(await readFile(path.join(dir, 'src/oauth/http.ts'), 'utf8')).toBe(
        addUserComment(contentsOf(current, 'src/oauth/http.ts')),
      );
      expect(await readFile(path.join(dir, 'notes.md'), 'utf8')).toBe('untracked\n');
    },
    SLOW,
  );

  it(
    'an invalid --set, before anything is rendered',
    async () => {
      const dir = await currentProject();
      const unknownKey = await runCli(['regenerate', '--set', 'database=mongo'], { cwd: dir });
      expect(unknownKey.exitCode).toBe(1);
      expect(unknownKey.stderr).toBe(
        'error: --set needs key=value with a key of framework, storage, scopes, login (got "database=mongo")',
      );
      const badValue = await runCli(['regenerate', '--set', 'storage=mongo'], { cwd: dir });
      expect(badValue.exitCode).toBe(1);
      expect(badValue.stderr).toBe('error: unknown storage "mongo"');
      const badScope = await runCli(['regenerate', '--set', 'scopes=mcp:read,Write'], { cwd: dir });
      expect(badScope.stderr).toBe(
        'error: --set scopes: invalid scope "Write": use lowercase letters, digits and _ . : - (starting with a letter)',
      );
      expect(await gitStatus(dir)).toBe('');
    },
    SLOW,
  );
});

describe('regenerate --help', () => {
  it('documents every flag, the base file, the exit codes and examples', async () => {
    const { exitCode, stdout } = await runCli(['regenerate', '--help'], { cwd: await makeTempDir() });
    expect(exitCode).toBe(0);
    for (const flag of [
      '--set',
      '--check',
      '--dry-run',
      '--json',
      '--allow-dirty',
      '--install',
      '--verify',
      '--package-manager',
    ]) {
      expect(stdout, flag).toContain(flag);
    }
    expect(stdout).toContain(BASE_FILE);
    expect(stdout).toContain('Examples:');
    for (const example of [
      'regenerate --dry-run',
      'regenerate --check',
      'storage=postgres',
      'scopes=notes:read,notes:write',
    ]) {
      expect(stdout, example).toContain(example);
    }
    expect(stdout).toMatch(/Exit codes: 0 done.*1 error.*2 written, but conflicts remain/s);
  });
});
