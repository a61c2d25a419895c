import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FRAMEWORKS, PACKAGE_MANAGERS, STORAGES } from '../src/options.js';
import { QUIRKS } from '../src/quirks.js';
import { quirksAsMarkdown } from '../src/quirks-report.js';
import { GENERATOR_VERSION } from '../src/version.js';
import { runCli } from './helpers/cli.js';
import { makeTempDir } from './helpers/temp-dir.js';

describe('create-mcp-oauth-server --help and --version', () => {
  it('documents every flag with its choices, the commands, examples and exit codes', async () => {
    const { exitCode, stdout } = await runCli(['--help'], { cwd: await makeTempDir() });
    expect(exitCode).toBe(0);
    for (const flag of [
      '--framework',
      '--storage',
      '--scopes',
      '--login',
      '--package-manager',
      '--install',
      '--verify',
      '--git',
      '-y, --yes',
      '--overwrite',
      '--dry-run',
      '--json',
      '--version',
      '--help',
    ]) {
      expect(stdout, flag).toContain(flag);
    }
    for (const value of [...FRAMEWORKS.map((f) => f.value), ...STORAGES.map((s) => s.value), ...PACKAGE_MANAGERS]) {
      expect(stdout).toContain(`"${value}"`);
    }
    expect(stdout).toContain('--no-install skips it (and implies --no-verify)');
    expect(stdout).toContain('[default: mcp:read,mcp:write]');
    expect(stdout).toContain('create-mcp-oauth-server quirks');
    expect(stdout).toContain('Examples:');
    expect(stdout).toMatch(/Exit codes: 0 done; 1 error .* 130 cancelled/s);
  });

  it('prints the version from package.json', async () => {
    const { exitCode, stdout } = await runCli(['--version'], { cwd: await makeTempDir() });
    expect(exitCode).toBe(0);
    expect(stdout).toBe(GENERATOR_VERSION);
  });
});

describe('refusals: one line on stderr, exit 1, nothing written', () => {
  it.each<[string, string[], string]>([
    [
      'an unknown flag',
      ['app', '--frmework', 'express'],
      'error: unknown option --frmework (see create-mcp-oauth-server --help)',
    ],
    ['an unknown short flag', ['app', '-q'], 'error: unknown option -q (see create-mcp-oauth-server --help)'],
    [
      'a second directory',
      ['app', 'other'],
      'error: unexpected argument "other" (give one directory) (see create-mcp-oauth-server --help)',
    ],
    [
      'an unknown framework',
      ['app', '--framework', 'koa'],
      'error: --framework must be one of express, fastify, hono (got "koa") (see create-mcp-oauth-server --help)',
    ],
    [
      'a flag without its value',
      ['app', '--storage'],
      'error: --storage needs a value: sqlite, postgres, redis, memory (see create-mcp-oauth-server --help)',
    ],
    [
      'an invalid scope',
      ['app', '--scopes', 'mcp:read,Write'],
      'error: invalid scope "Write": use lowercase letters, digits and _ . : - (starting with a letter)',
    ],
    [
      'offline_access as a scope',
      ['app', '--scopes', 'offline_access'],
      'error: "offline_access" is added by the server itself; leave it out of --scopes',
    ],
    [
      'an invalid project name',
      ['My_App', '--yes'],
      'error: "My_App" is not a valid package name: use lowercase letters, digits, "-", "." and "_" (the directory name becomes the package name)',
    ],
    [
      '--verify with --no-install',
      ['app', '--no-install', '--verify'],
      'error: --verify runs the tests of the installed project; it cannot be combined with --no-install',
    ],
  ])('%s', async (_, args, message) => {
    const cwd = await makeTempDir();
    const { exitCode, stdout, stderr } = await runCli(args, { cwd });
    expect(exitCode).toBe(1);
    expect(stderr).toBe(message);
    expect(stdout).toBe('');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('a non-empty target directory, leaving its contents untouched', async () => {
    const cwd = await makeTempDir();
    await mkdir(path.join(cwd, 'app'));
    await writeFile(path.join(cwd, 'app', 'mine.txt'), 'keep me');
    const { exitCode, stderr } = await runCli(['app', '--yes', '--no-install'], { cwd });
    expect(exitCode).toBe(1);
    expect(stderr).toBe(
      'error: directory app is not empty; pass --overwrite to replace its contents (node_modules and .git are kept)',
    );
    expect(await readdir(path.join(cwd, 'app'))).toEqual(['mine.txt']);
    expect(await readFile(path.join(cwd, 'app', 'mine.txt'), 'utf8')).toBe('keep me');
  });

  it('with --json, also as a JSON document on stdout', async () => {
    const cwd = await makeTempDir();
    const { exitCode, stdout, stderr } = await runCli(['app', '--scopes', 'BAD', '--json'], { cwd });
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/^error: invalid scope "BAD"/);
    expect(JSON.parse(stdout)).toEqual({
      ok: false,
      error: { message: expect.stringMatching(/^invalid scope "BAD"/) },
    });
  });
});

describe('create with the real templates, without install and git', () => {
  it('--dry-run lists the files and writes nothing', async () => {
    const cwd = await makeTempDir();
    const { exitCode, stdout } = await runCli(['planned', '--dry-run', '--yes'], { cwd });
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^ {2}merged +\d+ B {2}package\.json$/m);
    expect(stdout).toContain('Nothing was written.');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('--json prints only JSON on stdout and writes the project', async () => {
    const cwd = await makeTempDir();
    const { exitCode, stdout, stderr } = await runCli(['app', '--yes', '--no-install', '--no-git', '--json'], { cwd });
    expect(exitCode).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      ok: true,
      dir: path.join(cwd, 'app'),
      answers: {
        projectName: 'app',
        framework: 'express',
        storage: 'sqlite',
        scopes: ['mcp:read', 'mcp:write'],
        login: 'local',
      },
      install: null,
      verify: null,
      git: null,
    });
    for (const file of result.files as Array<{ path: string }>) {
      expect(existsSync(path.join(cwd, 'app', file.path)), file.path).toBe(true);
    }
    expect(existsSync(path.join(cwd, 'app', '.mcp-oauth-server.json'))).toBe(true);
    expect(existsSync(path.join(cwd, 'app', '.env'))).toBe(true);
    expect(stderr).toContain('Created');
  });

  it('without --json, ends with the next steps', async () => {
    const cwd = await makeTempDir();
    const { exitCode, stdout } = await runCli(['app', '--no-install', '--no-git'], { cwd });
    expect(exitCode).toBe(0);
    expect(stdout).toContain('Next steps');
    expect(stdout).toContain('cd app\n  npm install');
    expect(stdout).toContain('http://localhost:3000/mcp');
  });
});

describe('create-mcp-oauth-server quirks', () => {
  it('prints every quirk with its rule, clients and source', async () => {
    const { exitCode, stdout } = await runCli(['quirks'], { cwd: await makeTempDir() });
    expect(exitCode).toBe(0);
    expect(stdout).toContain(`${QUIRKS.length} client quirks`);
    for (const quirk of QUIRKS) {
      expect(stdout).toContain(quirk.id);
      expect(stdout).toContain(quirk.rule);
      expect(stdout).toContain(`clients: ${quirk.clients}`);
      expect(stdout).toContain(`source:  ${quirk.source}`);
    }
  });

  it('--json prints the catalogue as JSON', async () => {
    const { stdout } = await runCli(['quirks', '--json'], { cwd: await makeTempDir() });
    expect(JSON.parse(stdout)).toEqual(QUIRKS);
  });

  it('--markdown prints the table README.md embeds', async () => {
    const { stdout } = await runCli(['quirks', '--markdown'], { cwd: await makeTempDir() });
    expect(`${stdout}\n`).toBe(quirksAsMarkdown());
  });

  it('refuses create flags', async () => {
    const { exitCode, stderr } = await runCli(['quirks', '--framework', 'express'], { cwd: await makeTempDir() });
    expect(exitCode).toBe(1);
    expect(stderr).toBe('error: unknown option --framework (see create-mcp-oauth-server --help)');
  });
});
