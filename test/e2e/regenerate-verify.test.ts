import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { renderProject } from '../../src/render/render.js';
import type { RegenerateResult } from '../../src/regenerate/report.js';
import { QUIRK_IDS } from '../../src/quirks.js';
import {
  ANSWERS,
  asOlderVersion,
  commitAll,
  edit,
  git,
  MISSING_QUIRK,
  OLDER_VERSION,
  PATCHED_REDIRECT,
  replaceOnce,
  writeGeneratedProject,
} from '../fixtures/regenerate/project.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

it('regenerates an older, edited project, reinstalls it and passes its own type check and test suite', async () => {
  const dir = path.join(await makeTempDir(), 'my-server');
  await writeGeneratedProject(dir, asOlderVersion(await renderProject(ANSWERS)), {
    version: OLDER_VERSION,
    quirks: QUIRK_IDS.filter((id) => id !== MISSING_QUIRK),
  });
  await edit(dir, 'src/oauth/http.ts', (text) =>
    replaceOnce(text, '/** Largest bodies', '// Our proxy caps bodies at 8 MB.\n/** Largest bodies', 'http.ts'),
  );
  await edit(dir, 'src/tools/whoami.ts', (text) =>
    text.replace(/description: '[^']*'/, "description: 'Who the caller is.'"),
  );
  await edit(dir, 'package.json', (text) => {
    const pkg = JSON.parse(text) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    pkg.dependencies.ms = '2.1.3';
    pkg.scripts.dev = 'tsx watch --clear-screen=false src/server.ts';
    return `${JSON.stringify(pkg, null, 2)}\n`;
  });
  await commitAll(dir, 'My edits');

  const { exitCode, stdout, stderr } = await runCli(['regenerate', '--json'], { cwd: dir });
  expect(exitCode, stderr).toBe(0);
  const result = JSON.parse(stdout) as RegenerateResult;
  expect(result).toMatchObject({
    ok: true,
    written: true,
    dependenciesChanged: true,
    install: { ok: true },
    verify: { ok: true, tests: { failed: 0 } },
    quirksGained: [{ id: MISSING_QUIRK }],
  });
  expect(result.verify!.tests!.passed).toBeGreaterThan(0);

  // the edits and the patch, in the project that just passed its suite
  expect(await readFile(path.join(dir, 'src/oauth/http.ts'), 'utf8')).toContain('// Our proxy caps bodies at 8 MB.');
  expect(await readFile(path.join(dir, 'src/oauth/http.ts'), 'utf8')).toContain(PATCHED_REDIRECT);
  expect(await readFile(path.join(dir, 'src/tools/whoami.ts'), 'utf8')).toContain("description: 'Who the caller is.'");
  expect(JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')).dependencies.ms).toBe('2.1.3');
  // the reinstall wrote a lockfile; the changes wait for the user's review
  expect((await git(dir, ['status', '--porcelain'])).stdout).toContain('package-lock.json');
});
