import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE, serializeManifest } from '../render/manifest.js';
import { BASE_FILE, serializeBaseFile } from './base-render.js';
import type { RegeneratePlan } from './plan.js';

/** Removes `from` and its parents while they are empty, stopping at `root`. */
async function removeEmptyDirs(root: string, from: string): Promise<void> {
  for (let dir = from; dir !== root && dir.startsWith(root + path.sep); dir = path.dirname(dir)) {
    if ((await readdir(dir)).length > 0) return;
    await rmdir(dir);
  }
}

/**
 * Writes the plan: files first, then removals, then the base file and the manifest last. A failure part-way
 * leaves the old manifest, so the next regenerate sees the written files as edits and merges them again,
 * which is a no-op: nothing is lost.
 */
export async function applyPlan(dir: string, plan: RegeneratePlan): Promise<void> {
  for (const file of plan.files) {
    if (file.contents === undefined) continue;
    const target = path.join(dir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.contents);
  }
  for (const file of plan.files.filter((f) => f.action === 'removed')) {
    const target = path.join(dir, file.path);
    await rm(target, { force: true });
    await removeEmptyDirs(dir, path.dirname(target));
  }
  await writeFile(path.join(dir, BASE_FILE), serializeBaseFile(plan.base));
  await writeFile(path.join(dir, MANIFEST_FILE), serializeManifest(plan.manifest));
}
