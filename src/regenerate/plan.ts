import { isDeepStrictEqual } from 'node:util';
import type { Answers } from '../options.js';
import { QUIRKS, type Quirk } from '../quirks.js';
import { buildManifest, hashContents, type Manifest } from '../render/manifest.js';
import type { Ownership } from '../render/ownership.js';
import type { RenderedFile } from '../render/render.js';
import { buildBaseFile, type BaseFile } from './base-render.js';
import {
  dependencySets,
  mergePackageJson,
  packageJsonChanges,
  PackageJsonError,
  type PackageJsonChange,
  type PackageJsonMerge,
} from './package-json-merge.js';
import { CONFLICT_MARKER, mergeThreeWay } from './three-way-merge.js';

/**
 * What regenerate does to one file:
 * created     new in this render, not on disk
 * updated     unedited since it was generated: replaced by the new render
 * merged      edited by the user: the generator's changes merged in cleanly
 * conflicted  edited where the generator changed the same lines: labelled markers written
 *             (package.json: keys both changed, the user's value kept)
 * kept        the user's: a sample file, or a no-longer-generated file the user edited
 * deleted     deleted by the user: stays deleted
 * removed     no longer generated and unedited: deleted
 * unchanged   nothing to do
 */
export type FileAction = 'created' | 'updated' | 'merged' | 'conflicted' | 'kept' | 'deleted' | 'removed' | 'unchanged';

export interface PlannedFile {
  path: string;
  ownership: Ownership;
  action: FileAction;
  /** A few words on why, for the report. */
  reason?: string;
  /** The contents to write (created, updated, merged, conflicted). */
  contents?: string;
  /** Conflict hunks written into the file, or package.json keys both sides changed. */
  conflicts?: number;
  /** No base render was available: the merge ran against an empty base. */
  withoutBase?: boolean;
}

export interface RegeneratePlan {
  files: PlannedFile[];
  /** The package.json merge, when package.json was edited and merged key by key. */
  packageJson?: PackageJsonMerge;
  /** How dependencies, devDependencies and scripts change on disk. */
  packageJsonChanges: PackageJsonChange[];
  quirksGained: Quirk[];
  /** Any file changes on disk, a quirk is gained, or an answer changed (`--check` exits 1). */
  updateAvailable: boolean;
  /** Conflict hunks plus package.json conflicts: regenerate exits non-zero while any remain. */
  conflicts: number;
  dependenciesChanged: boolean;
  /** What the manifest and the base file become once every file is written. */
  manifest: Manifest;
  base: BaseFile;
}

export interface PlanInput {
  recorded: Manifest;
  answers: Answers;
  rendered: readonly RenderedFile[];
  generatorVersion: string;
  /** The file's current text, undefined when it does not exist. */
  readDisk(filePath: string): Promise<string | undefined>;
  /** What the recorded version rendered for the file, undefined when unknown. */
  baseOf(filePath: string): Promise<string | undefined>;
}

export function changesDisk(file: PlannedFile): boolean {
  return file.contents !== undefined || file.action === 'removed';
}

function mergeReason(conflicts: number, withoutBase: boolean): string {
  if (withoutBase) return 'no base render to merge against: both versions are in the markers';
  return `${conflicts} conflict${conflicts === 1 ? '' : 's'}: resolve the markers`;
}

/** Markers of an earlier regenerate the user has not resolved yet. */
function leftoverConflicts(text: string): number {
  return text.match(CONFLICT_MARKER)?.length ?? 0;
}

async function planManagedEdit(file: RenderedFile, ours: string, input: PlanInput): Promise<PlannedFile> {
  const base = await input.baseOf(file.path);
  const merge = await mergeThreeWay({
    ours,
    base: base ?? '',
    theirs: file.contents,
    baseVersion: input.recorded.generator.version,
    theirsVersion: input.generatorVersion,
  });
  const entry = { path: file.path, ownership: file.ownership };
  if (merge.outcome === 'conflict') {
    return {
      ...entry,
      action: 'conflicted',
      contents: merge.contents,
      conflicts: merge.conflicts,
      reason: mergeReason(merge.conflicts, base === undefined),
      ...(base === undefined ? { withoutBase: true } : {}),
    };
  }
  const written = merge.contents === ours ? {} : { contents: merge.contents };
  const leftover = leftoverConflicts(merge.contents);
  if (leftover > 0) {
    const reason = 'conflict markers from an earlier regenerate are still there';
    return { ...entry, ...written, action: 'conflicted', conflicts: leftover, reason };
  }
  if (merge.contents === ours) return { ...entry, action: 'unchanged' };
  if (merge.outcome === 'theirs') return { ...entry, ...written, action: 'updated', reason: 'your line endings kept' };
  return { ...entry, ...written, action: 'merged', reason: "your edits kept, the generator's changes merged in" };
}

async function planPackageJsonEdit(
  file: RenderedFile,
  ours: string,
  input: PlanInput,
): Promise<{ planned: PlannedFile; merge?: PackageJsonMerge }> {
  const entry = { path: file.path, ownership: file.ownership };
  const base = await input.baseOf(file.path);
  let merge: PackageJsonMerge;
  try {
    merge = mergePackageJson({ ours, base: base ?? '', theirs: file.contents });
  } catch (error) {
    if (!(error instanceof PackageJsonError)) throw error;
    return { planned: { ...entry, action: 'conflicted', conflicts: 1, reason: `${error.message}: left as it is` } };
  }
  const written = merge.contents === ours ? {} : { contents: merge.contents };
  if (merge.conflicts.length > 0) {
    const keys = merge.conflicts.map((c) => `${c.section}.${c.key}`).join(', ');
    return {
      planned: {
        ...entry,
        ...written,
        action: 'conflicted',
        conflicts: merge.conflicts.length,
        reason: `changed by you and by the generator, yours kept: ${keys}`,
        ...(base === undefined ? { withoutBase: true } : {}),
      },
      merge,
    };
  }
  if (merge.applied.length === 0) return { planned: { ...entry, action: 'unchanged' }, merge };
  return {
    planned: { ...entry, ...written, action: 'merged', reason: "your keys kept, the generator's changes applied" },
    merge,
  };
}

function planSample(file: RenderedFile, disk: string | undefined, recorded: boolean): PlannedFile {
  const entry = { path: file.path, ownership: file.ownership };
  if (disk === undefined) {
    return recorded
      ? { ...entry, action: 'deleted', reason: 'deleted by you: stays deleted' }
      : { ...entry, action: 'created', contents: file.contents };
  }
  if (disk === file.contents) return { ...entry, action: 'unchanged' };
  return {
    ...entry,
    action: 'kept',
    reason: recorded ? 'sample file: yours, never updated' : 'exists already: yours, not overwritten',
  };
}

async function planRendered(
  file: RenderedFile,
  input: PlanInput,
): Promise<{ planned: PlannedFile; merge?: PackageJsonMerge }> {
  const entry = { path: file.path, ownership: file.ownership };
  const recorded = input.recorded.files[file.path];
  const disk = await input.readDisk(file.path);
  if (file.ownership === 'sample') return { planned: planSample(file, disk, recorded !== undefined) };
  if (disk === undefined) {
    return {
      planned: recorded
        ? { ...entry, action: 'deleted', reason: 'deleted by you: stays deleted' }
        : { ...entry, action: 'created', contents: file.contents },
    };
  }
  if (disk === file.contents) return { planned: { ...entry, action: 'unchanged' } };
  if (recorded && hashContents(disk) === recorded.hash) {
    return { planned: { ...entry, action: 'updated', contents: file.contents } };
  }
  if (file.ownership === 'merged') return planPackageJsonEdit(file, disk, input);
  return { planned: await planManagedEdit(file, disk, input) };
}

async function planNoLongerRendered(filePath: string, input: PlanInput): Promise<PlannedFile | undefined> {
  const recorded = input.recorded.files[filePath]!;
  const disk = await input.readDisk(filePath);
  if (disk === undefined) return undefined;
  const entry = { path: filePath, ownership: recorded.ownership };
  if (recorded.ownership === 'sample')
    return { ...entry, action: 'kept', reason: 'sample file: yours, no longer generated' };
  if (hashContents(disk) === recorded.hash) return { ...entry, action: 'removed', reason: 'no longer generated' };
  return { ...entry, action: 'kept', reason: 'no longer generated; kept because you edited it' };
}

function nextManifest(input: PlanInput): Manifest {
  const manifest = buildManifest(input.answers, input.rendered);
  // a sample file's entry keeps the hash it was created with: it records what the user started from
  for (const [filePath, entry] of Object.entries(manifest.files)) {
    const recorded = input.recorded.files[filePath];
    if (entry.ownership === 'sample' && recorded?.ownership === 'sample') manifest.files[filePath] = recorded;
  }
  return manifest;
}

/** Decides what happens to every file; reads the disk but writes nothing. */
export async function planRegenerate(input: PlanInput): Promise<RegeneratePlan> {
  const files: PlannedFile[] = [];
  let packageJson: PackageJsonMerge | undefined;
  for (const file of input.rendered) {
    const { planned, merge } = await planRendered(file, input);
    files.push(planned);
    if (merge) packageJson = merge;
  }
  const renderedPaths = new Set(input.rendered.map((file) => file.path));
  for (const filePath of Object.keys(input.recorded.files)
    .filter((p) => !renderedPaths.has(p))
    .sort()) {
    const planned = await planNoLongerRendered(filePath, input);
    if (planned) files.push(planned);
  }

  const quirksGained = QUIRKS.filter((quirk) => !input.recorded.quirks.includes(quirk.id));
  const answersChanged = !isDeepStrictEqual(input.recorded.answers, input.answers);
  const packageBefore = await input.readDisk('package.json');
  const packageAfter = files.find((file) => file.path === 'package.json')?.contents ?? packageBefore;
  return {
    files,
    ...(packageJson ? { packageJson } : {}),
    packageJsonChanges: packageJsonChanges(packageBefore ?? '', packageAfter ?? ''),
    quirksGained,
    updateAvailable: files.some(changesDisk) || quirksGained.length > 0 || answersChanged,
    conflicts: files.reduce((sum, file) => sum + (file.action === 'conflicted' ? (file.conflicts ?? 1) : 0), 0),
    dependenciesChanged:
      packageBefore !== packageAfter &&
      !isDeepStrictEqual(dependencySets(packageBefore ?? ''), dependencySets(packageAfter ?? '')),
    manifest: nextManifest(input),
    base: buildBaseFile(input.rendered, input.generatorVersion),
  };
}
