import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OptionError, type Combinations } from '../src/options.js';
import { detectPackageManager } from '../src/package-manager.js';
import type { PromptApi } from '../src/prompts.js';
import { resolvePlan, type CreateFlags } from '../src/resolve-plan.js';
import { makeTempDir } from './helpers/temp-dir.js';

/** Non-interactive resolution must never ask anything. */
const noPrompts: PromptApi = {
  text: () => Promise.reject(new Error('prompted')),
  select: () => Promise.reject(new Error('prompted')),
  confirm: () => Promise.reject(new Error('prompted')),
  isCancel: (value): value is symbol => typeof value === 'symbol',
};

async function resolve(flags: CreateFlags, cwd: string, env: Record<string, string> = {}, combinations?: Combinations) {
  return resolvePlan(flags, { cwd, env, interactive: false, promptApi: noPrompts, combinations });
}

describe('resolvePlan without a terminal', () => {
  it('takes the defaults for everything the flags left open', async () => {
    const cwd = await makeTempDir();
    const plan = await resolve({ yes: true }, cwd);
    expect(plan).toEqual({
      targetDir: path.join(cwd, 'mcp-oauth-server'),
      displayDir: 'mcp-oauth-server',
      answers: {
        projectName: 'mcp-oauth-server',
        framework: 'express',
        storage: 'sqlite',
        scopes: ['mcp:read', 'mcp:write'],
        login: 'local',
      },
      packageManager: 'npm',
      install: true,
      verify: true,
      git: true,
      overwrite: false,
    });
  });

  it('uses every flag that was given', async () => {
    const cwd = await makeTempDir();
    const plan = await resolve(
      {
        dir: 'servers/notes',
        framework: 'express',
        storage: 'memory',
        scopes: 'notes:read,notes:write,notes:admin',
        login: 'local',
        packageManager: 'pnpm',
        install: true,
        verify: false,
        git: false,
      },
      cwd,
    );
    expect(plan.targetDir).toBe(path.join(cwd, 'servers/notes'));
    expect(plan.answers).toEqual({
      projectName: 'notes',
      framework: 'express',
      storage: 'memory',
      scopes: ['notes:read', 'notes:write', 'notes:admin'],
      login: 'local',
    });
    expect(plan).toMatchObject({ packageManager: 'pnpm', install: true, verify: false, git: false });
  });

  it('--no-install implies --no-verify', async () => {
    const plan = await resolve({ dir: 'x', install: false }, await makeTempDir());
    expect(plan).toMatchObject({ install: false, verify: false });
  });

  it('refuses --verify together with --no-install', async () => {
    await expect(resolve({ dir: 'x', install: false, verify: true }, await makeTempDir())).rejects.toThrow(
      '--verify runs the tests of the installed project',
    );
  });

  it('takes the package manager from npm_config_user_agent when no flag is given', async () => {
    const cwd = await makeTempDir();
    const plan = await resolve({ dir: 'x' }, cwd, {
      npm_config_user_agent: 'pnpm/9.1.0 npm/? node/v20.20.2 linux x64',
    });
    expect(plan.packageManager).toBe('pnpm');
    expect(detectPackageManager('yarn/1.22.22 npm/? node/v20.20.2')).toBe('yarn');
    expect(detectPackageManager('bun/1.2.0 npm/? node/v20.20.2')).toBe('bun');
    expect(detectPackageManager('cnpm/9 node/v20')).toBe('npm');
    expect(detectPackageManager(undefined)).toBe('npm');
  });

  it('names the project after the current directory for "."', async () => {
    const parent = await makeTempDir();
    const cwd = path.join(parent, 'here-it-is');
    await mkdir(cwd);
    const plan = await resolve({ dir: '.' }, cwd);
    expect(plan).toMatchObject({ targetDir: cwd, displayDir: '.', answers: { projectName: 'here-it-is' } });
  });

  it.each<[string, CreateFlags, RegExp]>([
    [
      'an invalid directory name',
      { dir: 'My Server' },
      /"My Server" is not a valid package name.*directory name becomes the package name/,
    ],
    [
      'an unknown framework',
      { dir: 'x', framework: 'koa' },
      /--framework must be one of express, fastify, hono \(got "koa"\)/,
    ],
    [
      'an unknown package manager',
      { dir: 'x', packageManager: 'cargo' },
      /--package-manager must be one of npm, pnpm, yarn, bun/,
    ],
    ['an invalid scope', { dir: 'x', scopes: 'read,Write' }, /invalid scope "Write"/],
    ['an unknown login', { dir: 'x', login: 'saml' }, /--login must be one of local/],
  ])('refuses %s with an OptionError', async (_, flags, message) => {
    const attempt = resolve(flags, await makeTempDir());
    await expect(attempt).rejects.toThrow(OptionError);
    await expect(attempt).rejects.toThrow(message);
  });

  describe('with templates for only some combinations', () => {
    const partial: Combinations = [
      { framework: 'express', storage: 'sqlite' },
      { framework: 'express', storage: 'memory' },
      { framework: 'fastify', storage: 'memory' },
    ];
    const available = 'available: express with sqlite/memory; fastify with memory';

    it.each<[string, CreateFlags, string]>([
      [
        'a pair',
        { framework: 'fastify', storage: 'sqlite' },
        `fastify with sqlite storage is not available yet (${available})`,
      ],
      ['a framework', { framework: 'hono' }, `--framework hono is not available yet (${available})`],
      ['a storage', { storage: 'redis' }, `--storage redis is not available yet (${available})`],
    ])('refuses %s without templates, listing what exists', async (_, flags, message) => {
      const attempt = resolve({ dir: 'x', ...flags }, await makeTempDir(), {}, partial);
      await expect(attempt).rejects.toThrow(OptionError);
      await expect(attempt).rejects.toThrow(message);
    });

    it('falls back from a default that is not available with the chosen framework', async () => {
      const plan = await resolve({ dir: 'x', framework: 'fastify' }, await makeTempDir(), {}, partial);
      expect(plan.answers).toMatchObject({ framework: 'fastify', storage: 'memory' });
    });
  });

  it('refuses a non-empty directory unless --overwrite is given', async () => {
    const cwd = await makeTempDir();
    await mkdir(path.join(cwd, 'taken'));
    await writeFile(path.join(cwd, 'taken', 'notes.md'), 'mine');
    await expect(resolve({ dir: 'taken' }, cwd)).rejects.toThrow(
      'directory taken is not empty; pass --overwrite to replace its contents (node_modules and .git are kept)',
    );
    await expect(resolve({ dir: 'taken', overwrite: true }, cwd)).resolves.toMatchObject({ overwrite: true });
  });

  it('refuses the default directory when it is taken, too', async () => {
    const cwd = await makeTempDir();
    await mkdir(path.join(cwd, 'mcp-oauth-server'));
    await writeFile(path.join(cwd, 'mcp-oauth-server', 'x'), '');
    await expect(resolve({ yes: true }, cwd)).rejects.toThrow('directory mcp-oauth-server is not empty');
  });

  it('treats a directory holding only .git as empty', async () => {
    const cwd = await makeTempDir();
    await mkdir(path.join(cwd, 'repo', '.git'), { recursive: true });
    await expect(resolve({ dir: 'repo' }, cwd)).resolves.toMatchObject({ overwrite: false });
  });

  it('refuses a path that is a file', async () => {
    const cwd = await makeTempDir();
    await writeFile(path.join(cwd, 'file'), '');
    await expect(resolve({ dir: 'file' }, cwd)).rejects.toThrow('file exists and is not a directory');
  });
});
