import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CliError } from '../errors.js';
import { detectLineEnding, toLf, withLineEnding } from './line-endings.js';

export interface MergeInput {
  /** The file as it is on disk, with the user's edits. */
  ours: string;
  /** What the recorded generator version rendered; "" when that is unknown. */
  base: string;
  /** What this generator version renders. */
  theirs: string;
  /** The recorded generator version and this one, for the conflict markers. */
  baseVersion: string;
  theirsVersion: string;
}

export interface MergeResult {
  contents: string;
  /**
   * theirs: the user's copy had no changes of its own (only line endings), so the new render is taken;
   * ours: the generator changed nothing the user's copy lacks; clean: both sides' changes combined;
   * conflict: labelled markers where both changed the same lines.
   */
  outcome: 'theirs' | 'ours' | 'clean' | 'conflict';
  conflicts: number;
}

/** The labels git writes after <<<<<<<, ||||||| and >>>>>>>. */
export function conflictLabels(baseVersion: string, theirsVersion: string): [string, string, string] {
  return ['yours', `generator ${baseVersion}`, `generator ${theirsVersion}`];
}

/** The line git merge-file writes at the start of each conflict this tool makes. */
export const CONFLICT_MARKER = /^<<<<<<< yours\r?$/gm;

/**
 * Line-based diff3 of the user's file against two renders, via `git merge-file --diff3`. The merge runs on
 * LF text; the result gets the line endings of the user's copy, so CRLF checkouts stay CRLF.
 */
export async function mergeThreeWay(input: MergeInput): Promise<MergeResult> {
  const ending = detectLineEnding(input.ours);
  const ours = toLf(input.ours);
  const base = toLf(input.base);
  const theirs = toLf(input.theirs);
  if (ours === base || ours === theirs) {
    return { contents: withLineEnding(theirs, ending), outcome: 'theirs', conflicts: 0 };
  }
  if (base === theirs) return { contents: input.ours, outcome: 'ours', conflicts: 0 };

  const merged = await gitMergeFile(ours, base, theirs, conflictLabels(input.baseVersion, input.theirsVersion));
  return {
    contents: withLineEnding(merged.text, ending),
    outcome: merged.conflicts > 0 ? 'conflict' : 'clean',
    conflicts: merged.conflicts,
  };
}

async function gitMergeFile(
  ours: string,
  base: string,
  theirs: string,
  labels: [string, string, string],
): Promise<{ text: string; conflicts: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cmos-merge-'));
  try {
    const files = { ours: path.join(dir, 'ours'), base: path.join(dir, 'base'), theirs: path.join(dir, 'theirs') };
    await Promise.all([writeFile(files.ours, ours), writeFile(files.base, base), writeFile(files.theirs, theirs)]);
    const { execa } = await import('execa');
    const result = await execa(
      'git',
      [
        'merge-file',
        '-p',
        '--diff3',
        '-L',
        labels[0],
        '-L',
        labels[1],
        '-L',
        labels[2],
        files.ours,
        files.base,
        files.theirs,
      ],
      { reject: false, stripFinalNewline: false, stdin: 'ignore' },
    );
    if (result.failed && result.exitCode === undefined) {
      throw new CliError('git is not installed: regenerate needs `git merge-file` for its three-way merges');
    }
    // the exit code is the number of conflicts (capped at 127); a negative one (255) is an error
    const code = result.exitCode ?? 255;
    if (code > 127) throw new Error(`git merge-file failed: ${String(result.stderr).trim()}`);
    return { text: String(result.stdout), conflicts: code };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
