import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ANSWERS, SUPPORTED_COMBINATIONS } from '../src/options.js';
import { renderProject, type RenderedFile } from '../src/render/render.js';

/**
 * Golden snapshots of every framework x storage combination, compared file by file. A file that all
 * combinations render identically is kept once, in test/golden/common/<path>.snap; the rest in
 * test/golden/<framework>-<storage>/<path>.snap. Review their diffs like code when templates change;
 * `npm run snapshots:update` rewrites them. The .snap suffix keeps tsc, vitest and git from treating
 * the snapshots as live code, tests, package.json or .gitignore files.
 */
const GOLDEN_DIR = fileURLToPath(new URL('golden', import.meta.url));
const COMBINATIONS = SUPPORTED_COMBINATIONS.map((c) => ({ name: `${c.framework}-${c.storage}`, ...c }));

async function listSnapshots(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** Paths rendered with the same contents by every combination. */
function sharedPaths(renders: ReadonlyMap<string, RenderedFile[]>): Set<string> {
  const [first, ...others] = [...renders.values()].map(
    (files) => new Map(files.map((file) => [file.path, file.contents])),
  );
  return new Set(
    [...first!].filter(([filePath, contents]) => others.every((files) => files.get(filePath) === contents)).map(([p]) => p),
  );
}

async function expectSnapshots(dir: string, files: readonly RenderedFile[]): Promise<void> {
  for (const file of files) {
    await expect.soft(file.contents, file.path).toMatchFileSnapshot(path.join(dir, `${file.path}.snap`));
  }
  const rendered = new Set(files.map((file) => `${file.path}.snap`));
  const stale = (await listSnapshots(dir)).filter((snapshot) => !rendered.has(snapshot));
  expect(stale, 'snapshots of files the templates no longer produce: run npm run snapshots:update').toEqual([]);
}

describe('golden snapshots of every supported combination', () => {
  const renders = new Map<string, RenderedFile[]>();
  let shared = new Set<string>();

  beforeAll(async () => {
    for (const combination of COMBINATIONS) {
      const answers = { projectName: 'golden-project', ...DEFAULT_ANSWERS, ...combination };
      renders.set(combination.name, await renderProject(answers));
    }
    shared = sharedPaths(renders);
  }, 120_000);

  it('files every combination renders alike', async () => {
    const files = renders.get(COMBINATIONS[0]!.name)!.filter((file) => shared.has(file.path));
    expect(files.length).toBeGreaterThan(0);
    await expectSnapshots(path.join(GOLDEN_DIR, 'common'), files);
  });

  it.each(COMBINATIONS.map((c) => [c.name] as const))('%s', async (name) => {
    const files = renders.get(name)!;
    expect(JSON.parse(files.find((file) => file.path === 'package.json')!.contents)).toMatchObject({
      name: 'golden-project',
    });
    await expectSnapshots(
      path.join(GOLDEN_DIR, name),
      files.filter((file) => !shared.has(file.path)),
    );
  });
});
