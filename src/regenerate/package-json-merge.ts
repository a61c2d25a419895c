import { isDeepStrictEqual } from 'node:util';
import { detectLineEnding, withLineEnding } from './line-endings.js';

/** The package.json sections merged key by key; every other top-level key belongs to the user. */
export const MERGED_SECTIONS = ['dependencies', 'devDependencies', 'scripts'] as const;
export type MergedSection = (typeof MERGED_SECTIONS)[number];

type Json = Record<string, unknown>;

/** A change of the generator's that was applied: added (no `from`), updated, or removed (no `to`). */
export interface PackageJsonChange {
  section: MergedSection;
  key: string;
  from?: unknown;
  to?: unknown;
}

/** Both sides changed a key differently: the user's value is kept, and the report says so. */
export interface PackageJsonConflict {
  section: MergedSection;
  key: string;
  yours?: unknown;
  base?: unknown;
  generator?: unknown;
}

export interface PackageJsonMerge {
  /** The merged file in the user's formatting; the user's exact bytes when nothing was applied. */
  contents: string;
  applied: PackageJsonChange[];
  conflicts: PackageJsonConflict[];
  /** Other top-level keys the generator changed since the base, left as the user has them. */
  notApplied: string[];
}

export class PackageJsonError extends Error {}

function parseObject(text: string, what: string, emptyIsNothing = false): Json {
  if (emptyIsNothing && text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PackageJsonError(`${what} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PackageJsonError(`${what} is not a JSON object`);
  }
  return value as Json;
}

function sectionOf(pkg: Json, section: MergedSection): Json {
  const value = pkg[section];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function isSorted(keys: readonly string[]): boolean {
  return keys.every((key, index) => index === 0 || keys[index - 1]! <= key);
}

function mergeSection(section: MergedSection, ours: Json, base: Json, theirs: Json) {
  const applied: PackageJsonChange[] = [];
  const conflicts: PackageJsonConflict[] = [];
  const result: Json = {};
  const keys = [...new Set([...Object.keys(ours), ...Object.keys(theirs), ...Object.keys(base)])];
  for (const key of keys) {
    const [yours, was, generator] = [ours[key], base[key], theirs[key]];
    let value: unknown;
    if (isDeepStrictEqual(yours, generator) || isDeepStrictEqual(generator, was)) {
      value = yours;
    } else if (isDeepStrictEqual(yours, was)) {
      value = generator;
      applied.push({
        section,
        key,
        ...(yours === undefined ? {} : { from: yours }),
        ...(generator === undefined ? {} : { to: generator }),
      });
    } else {
      value = yours;
      conflicts.push({ section, key, yours, base: was, generator });
    }
    if (value !== undefined) result[key] = value;
  }
  // dependency lists stay alphabetical when they were (as npm writes them); scripts keep the user's order
  const ordered =
    section !== 'scripts' && isSorted(Object.keys(ours)) ? Object.keys(result).sort() : Object.keys(result);
  return { applied, conflicts, value: Object.fromEntries(ordered.map((key) => [key, result[key]])) };
}

function indentOf(text: string): string {
  return /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
}

/**
 * Three-way merge of package.json, key by key in dependencies, devDependencies and scripts: a key only the
 * generator changed takes the new value (added, updated or removed); a key the user changed or added keeps
 * the user's value; a key both changed differently keeps the user's value and is reported as a conflict.
 */
export function mergePackageJson(input: { ours: string; base: string; theirs: string }): PackageJsonMerge {
  const ours = parseObject(input.ours, 'your package.json');
  // an empty base: the recorded render is unknown, so every difference is either a new key or a conflict
  const base = parseObject(input.base, 'the base package.json', true);
  const theirs = parseObject(input.theirs, 'the rendered package.json');

  const merged: Json = { ...ours };
  const applied: PackageJsonChange[] = [];
  const conflicts: PackageJsonConflict[] = [];
  for (const section of MERGED_SECTIONS) {
    const result = mergeSection(
      section,
      sectionOf(ours, section),
      sectionOf(base, section),
      sectionOf(theirs, section),
    );
    applied.push(...result.applied);
    conflicts.push(...result.conflicts);
    if (section in ours || Object.keys(result.value).length > 0) merged[section] = result.value;
  }
  const notApplied = Object.keys(theirs).filter(
    (key) =>
      !(MERGED_SECTIONS as readonly string[]).includes(key) &&
      !isDeepStrictEqual(theirs[key], base[key]) &&
      !isDeepStrictEqual(theirs[key], ours[key]),
  );

  const contents =
    applied.length === 0
      ? input.ours
      : withLineEnding(
          `${JSON.stringify(merged, null, indentOf(input.ours))}${/\n$/.test(input.ours) ? '\n' : ''}`,
          detectLineEnding(input.ours),
        );
  return { contents, applied, conflicts, notApplied };
}

/** The dependencies and devDependencies of a package.json text, for "did the install set change?". */
export function dependencySets(text: string): { dependencies: Json; devDependencies: Json } | undefined {
  try {
    const pkg = parseObject(text, 'package.json');
    return { dependencies: sectionOf(pkg, 'dependencies'), devDependencies: sectionOf(pkg, 'devDependencies') };
  } catch {
    return undefined;
  }
}

/** What changed in the merged sections between two package.json texts (for the report). */
export function packageJsonChanges(before: string, after: string): PackageJsonChange[] {
  let from: Json;
  let to: Json;
  try {
    [from, to] = [parseObject(before, 'package.json'), parseObject(after, 'package.json')];
  } catch {
    return [];
  }
  return MERGED_SECTIONS.flatMap((section) => {
    const [a, b] = [sectionOf(from, section), sectionOf(to, section)];
    return [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .filter((key) => !isDeepStrictEqual(a[key], b[key]))
      .map((key) => ({ section, key, ...(key in a ? { from: a[key] } : {}), ...(key in b ? { to: b[key] } : {}) }));
  });
}
