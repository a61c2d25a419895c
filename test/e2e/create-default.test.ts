import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import type { CreateResult } from '../../src/create.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

it('creates the default project, installs it and passes its own type check and test suite', async () => {
  const cwd = await makeTempDir();
  const { exitCode, stdout, stderr } = await runCli(['my-server', '--yes', '--json'], { cwd });
  expect(exitCode, stderr).toBe(0);

  const result = JSON.parse(stdout) as CreateResult;
  const dir = path.join(cwd, 'my-server');
  expect(result).toMatchObject({
    ok: true,
    dir,
    answers: { projectName: 'my-server', framework: 'express', storage: 'sqlite' },
    install: { ok: true },
    verify: { ok: true, tests: { failed: 0 } },
    git: { ok: true },
  });
  expect(result.verify!.tests!.passed).toBeGreaterThan(0);
  expect(stderr).toMatch(/Type check and tests passed in .* \(\d+ passed/);

  // the first commit holds every generated file and the lockfile; the secret stays out of it
  const tracked = (await execa('git', ['ls-files'], { cwd: dir })).stdout.split('\n');
  expect(tracked).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', '.mcp-oauth-server.json']));
  expect(tracked).not.toContain('.env');
  expect(existsSync(path.join(dir, '.env'))).toBe(true);
  expect((await execa('git', ['status', '--porcelain'], { cwd: dir })).stdout).toBe('');
});
