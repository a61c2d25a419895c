import { existsSync } from 'node:fs';
import path from 'node:path';
import type { PackageManager } from '../options.js';

const LOCKFILES: ReadonlyArray<[string, PackageManager]> = [
  ['package-lock.json', 'npm'],
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
];

/** The package manager that installed the project, told by its lockfile; undefined when there is none. */
export function packageManagerOfProject(dir: string): PackageManager | undefined {
  return LOCKFILES.find(([lockfile]) => existsSync(path.join(dir, lockfile)))?.[1];
}
