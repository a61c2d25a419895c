/**
 * Who owns a generated file after create:
 * - managed: the generator; regenerate updates it, 3-way merging the user's edits
 * - sample:  the user; written once at create and never touched again
 * - merged:  package.json; regenerate merges dependencies and scripts key by key
 */
export type Ownership = 'managed' | 'sample' | 'merged';

const SAMPLE_DIRECTORIES = ['src/tools/', 'src/users/'];

export function ownershipOf(path: string): Ownership {
  if (path === 'package.json') return 'merged';
  if (SAMPLE_DIRECTORIES.some((dir) => path.startsWith(dir))) return 'sample';
  return 'managed';
}
