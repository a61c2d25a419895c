import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** Kept by --overwrite: re-rendering over an installed project stays a fast loop, and history survives. */
export const KEPT_ON_OVERWRITE = ['node_modules', '.git'] as const;

export function isNonEmptyDir(dir: string): boolean {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return false;
  return readdirSync(dir).some((entry) => entry !== '.git');
}

export function isExistingFile(dir: string): boolean {
  return existsSync(dir) && !statSync(dir).isDirectory();
}

/** Creates the directory, or, for --overwrite, removes everything in it except node_modules and .git. */
export async function prepareTargetDir(dir: string, overwrite: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (!overwrite) return;
  const kept: readonly string[] = KEPT_ON_OVERWRITE;
  for (const entry of await readdir(dir)) {
    if (!kept.includes(entry)) await rm(path.join(dir, entry), { recursive: true, force: true });
  }
}

/** How to refer to the directory in messages and `cd` hints: relative when below cwd, else absolute. */
export function displayPath(cwd: string, dir: string): string {
  const relative = path.relative(cwd, dir);
  if (relative === '') return '.';
  return relative.startsWith('..') || path.isAbsolute(relative) ? dir : relative;
}
