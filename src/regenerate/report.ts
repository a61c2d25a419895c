import { ENV_FILE } from '../env-file.js';
import type { Answers } from '../options.js';
import { MANIFEST_FILE } from '../render/manifest.js';
import type { InstallOutcome } from '../steps/install.js';
import type { VerifyOutcome } from '../steps/verify.js';
import { BASE_FILE, type BaseFileState } from './base-render.js';
import { describeAnswerChanges } from './overrides.js';
import type { PackageJsonChange, PackageJsonConflict } from './package-json-merge.js';
import type { FileAction, PlannedFile, RegeneratePlan } from './plan.js';

const ENV_EXAMPLE = '.env.example';

export type RegenerateMode = 'apply' | 'dry-run' | 'check';

/** The order of the report table and of the summary line. */
export const FILE_ACTIONS: readonly FileAction[] = [
  'created',
  'updated',
  'merged',
  'conflicted',
  'kept',
  'deleted',
  'removed',
  'unchanged',
];

/** The --json document. Steps that did not run are null. */
export interface RegenerateResult {
  ok: boolean;
  mode: RegenerateMode;
  dir: string;
  generator: { from: string; to: string };
  answers: { from: Answers; to: Answers };
  /** `--check` exits 1 when this is true. */
  updateAvailable: boolean;
  /** Whether files, the manifest and the base file were written. */
  written: boolean;
  /** The stored base render: present, missing, or unreadable (with the reason). */
  baseFile: { status: BaseFileState['status']; reason?: string };
  summary: Record<FileAction, number>;
  /** Every file except the unchanged ones. */
  files: Array<Omit<PlannedFile, 'contents'>>;
  packageJson: { changes: PackageJsonChange[]; conflicts: PackageJsonConflict[]; notApplied: string[] };
  quirksGained: Array<{ id: string; rule: string }>;
  conflicts: number;
  dependenciesChanged: boolean;
  install: Omit<InstallOutcome, 'failure'> | null;
  verify: Omit<VerifyOutcome, 'failure'> | null;
  durationMs: number;
  error?: { message: string; rerun: string; outputTail: string };
}

export function summarize(files: readonly PlannedFile[]): Record<FileAction, number> {
  const summary = Object.fromEntries(FILE_ACTIONS.map((action) => [action, 0])) as Record<FileAction, number>;
  for (const file of files) summary[file.action] += 1;
  return summary;
}

export function buildResult(options: {
  mode: RegenerateMode;
  dir: string;
  recordedVersion: string;
  generatorVersion: string;
  recordedAnswers: Answers;
  answers: Answers;
  baseFile: BaseFileState;
  plan: RegeneratePlan;
}): RegenerateResult {
  const { plan } = options;
  return {
    ok: true,
    mode: options.mode,
    dir: options.dir,
    generator: { from: options.recordedVersion, to: options.generatorVersion },
    answers: { from: options.recordedAnswers, to: options.answers },
    updateAvailable: plan.updateAvailable,
    written: false,
    baseFile:
      options.baseFile.status === 'unreadable'
        ? { status: 'unreadable', reason: options.baseFile.reason }
        : { status: options.baseFile.status },
    summary: summarize(plan.files),
    files: plan.files.filter((file) => file.action !== 'unchanged').map(({ contents: _contents, ...file }) => file),
    packageJson: {
      changes: plan.packageJsonChanges,
      conflicts: plan.packageJson?.conflicts ?? [],
      notApplied: plan.packageJson?.notApplied ?? [],
    },
    quirksGained: plan.quirksGained.map((quirk) => ({ id: quirk.id, rule: quirk.rule })),
    conflicts: plan.conflicts,
    dependenciesChanged: plan.dependenciesChanged,
    install: null,
    verify: null,
    durationMs: 0,
  };
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function formatChange(change: PackageJsonChange): string {
  const name = `${change.section}.${change.key}`;
  if (change.from === undefined) return `+ ${name} ${formatValue(change.to)}`;
  if (change.to === undefined) return `- ${name}`;
  return `~ ${name} ${formatValue(change.from)} -> ${formatValue(change.to)}`;
}

function formatConflict(conflict: PackageJsonConflict): string {
  const show = (value: unknown) => (value === undefined ? '(none)' : formatValue(value));
  return `! ${conflict.section}.${conflict.key}: yours ${show(conflict.yours)} kept; the generator went from ${show(conflict.base)} to ${show(conflict.generator)}`;
}

type ListedFile = RegenerateResult['files'][number];

function fileRows(files: readonly ListedFile[]): string[] {
  const pathWidth = Math.max(0, ...files.map((file) => file.path.length));
  const order = (file: ListedFile) => FILE_ACTIONS.indexOf(file.action);
  return [...files]
    .sort((a, b) => order(a) - order(b) || (a.path < b.path ? -1 : 1))
    .map(
      (file) =>
        `  ${file.action.padEnd(10)}  ${file.reason ? `${file.path.padEnd(pathWidth)}  ${file.reason}` : file.path}`,
    );
}

function summaryLine(summary: Record<FileAction, number>): string {
  return FILE_ACTIONS.filter((action) => summary[action] > 0)
    .map((action) => `${summary[action]} ${action}`)
    .join(', ');
}

function baseFileWarning(state: RegenerateResult['baseFile']): string | undefined {
  if (state.status === 'present') return undefined;
  const why = state.status === 'missing' ? 'is missing' : `is unreadable: ${state.reason ?? 'unknown reason'}`;
  return `${BASE_FILE} ${why}. Edited files merge against this version's render of your recorded answers where it matches what was generated, else they are reported as conflicts with both versions in the markers.`;
}

/** The plan (before writing) or report (after): the file table, package.json changes and quirks gained. */
export function formatPlan(result: RegenerateResult): string {
  const lines: string[] = [];
  const versions =
    result.generator.from === result.generator.to
      ? `generator ${result.generator.to}`
      : `generator ${result.generator.from} -> ${result.generator.to}`;
  lines.push(`${versions}; answers: ${describeAnswers(result.answers.to)}`);
  for (const change of describeAnswerChanges(result.answers.from, result.answers.to)) lines.push(`  --set ${change}`);
  const warning = baseFileWarning(result.baseFile);
  if (warning) lines.push('', `! ${warning}`);

  const rows = fileRows(result.files);
  lines.push('', ...(rows.length > 0 ? rows : ['  no file changes']));
  lines.push('', `  ${summaryLine(result.summary)}`);
  if (result.files.some((file) => file.path === ENV_EXAMPLE && file.action !== 'kept' && file.action !== 'deleted')) {
    lines.push(`  ${ENV_FILE} is yours and never regenerated: compare it with the new ${ENV_EXAMPLE}`);
  }

  const { changes, conflicts, notApplied } = result.packageJson;
  if (changes.length > 0 || conflicts.length > 0 || notApplied.length > 0) {
    lines.push('', 'package.json:');
    lines.push(...changes.map((change) => `  ${formatChange(change)}`));
    lines.push(...conflicts.map((conflict) => `  ${formatConflict(conflict)}`));
    if (notApplied.length > 0) {
      lines.push(`  the generator also changed ${notApplied.join(', ')}: these keys are yours, not applied`);
    }
  }

  lines.push('');
  if (result.quirksGained.length === 0) {
    lines.push('Quirk patches gained: none');
  } else {
    const width = Math.max(...result.quirksGained.map((quirk) => quirk.id.length));
    lines.push(`Quirk patches gained (${result.quirksGained.length}):`);
    lines.push(...result.quirksGained.map((quirk) => `  ${quirk.id.padEnd(width)}  ${quirk.rule}`));
  }
  return lines.join('\n');
}

function describeAnswers(answers: Answers): string {
  return `${answers.framework} + ${answers.storage}, scopes ${answers.scopes.join(',')}, login ${answers.login}`;
}

/** What to tell the user about the files that need their hands. */
export function conflictAdvice(result: RegenerateResult): string {
  const marked = result.files.filter((file) => file.action === 'conflicted' && file.path !== 'package.json');
  const lines: string[] = [];
  if (marked.length > 0) {
    lines.push(
      `Resolve the conflict markers (<<<<<<< yours ... >>>>>>> generator ${result.generator.to}) in:`,
      ...marked.map((file) => `  ${file.path}`),
    );
  }
  if (result.packageJson.conflicts.length > 0) {
    lines.push('package.json keeps your value for keys the generator changed too; compare and pick:');
    lines.push(...result.packageJson.conflicts.map((conflict) => `  ${formatConflict(conflict)}`));
  }
  lines.push(
    `${MANIFEST_FILE} and ${BASE_FILE} already record the new render, so the next regenerate will not merge these again.`,
  );
  return lines.join('\n');
}
