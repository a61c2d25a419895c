/** The generator under test and the generated projects the runtime benchmarks serve. */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './support.mjs';

export const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
export const CLI = join(REPO, 'bin', 'create-mcp-oauth-server.js');

/** The table in src/options.ts, read from the source so the benchmark follows it without a build of its own. */
function readSupportedCombinations() {
  const source = readFileSync(join(REPO, 'src', 'options.ts'), 'utf8');
  const table = /SUPPORTED_COMBINATIONS[^=]*=\s*\[([\s\S]*?)\];/.exec(source)?.[1] ?? '';
  const combinations = [...table.matchAll(/framework:\s*'(\w+)',\s*storage:\s*'(\w+)'/g)].map(
    ([, framework, storage]) => ({ framework, storage }),
  );
  if (combinations.length === 0)
    throw new Error('could not read SUPPORTED_COMBINATIONS from src/options.ts');
  return combinations;
}

export const SUPPORTED_COMBINATIONS = readSupportedCombinations();

/**
 * Renders `framework` + `storage` into `dir` (keeping node_modules from an earlier run), installs and builds it.
 * The sqlite database lives in `dir` and starts empty.
 */
export async function prepareProject(dir, framework, storage = 'sqlite') {
  await run(
    process.execPath,
    [
      CLI,
      dir,
      '--framework',
      framework,
      '--storage',
      storage,
      '--no-install',
      '--no-git',
      '--yes',
      '--overwrite',
    ],
    { timeoutMs: 60_000 },
  );
  await run('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: dir,
    timeoutMs: 5 * 60_000,
  });
  await run('npm', ['run', 'build'], { cwd: dir, timeoutMs: 2 * 60_000 });
  const databasePath = join(dir, 'bench.db');
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    await rm(databasePath + suffix, { force: true });
  return { dir, databasePath };
}
