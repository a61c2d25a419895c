import { ENV_FILE } from './env-file.js';
import { FRAMEWORKS, STORAGES, labelOf } from './options.js';
import { formatCommand, installCommand, scriptCommand } from './package-manager.js';
import { MANIFEST_FILE } from './render/manifest.js';
import type { RenderedFile } from './render/render.js';
import type { CreatePlan } from './resolve-plan.js';

export interface FileEntry {
  path: string;
  ownership: RenderedFile['ownership'];
  bytes: number;
}

export function fileEntries(files: readonly RenderedFile[]): FileEntry[] {
  return files.map((file) => ({
    path: file.path,
    ownership: file.ownership,
    bytes: Buffer.byteLength(file.contents),
  }));
}

export function describeAnswers(plan: CreatePlan): string {
  const { framework, storage, scopes } = plan.answers;
  return `${labelOf(FRAMEWORKS, framework)} + ${labelOf(STORAGES, storage)}, scopes ${scopes.join(' ')}`;
}

/** The commands the create will run after writing, in order. */
export function plannedCommands(plan: CreatePlan): string[] {
  const commands: string[] = [];
  if (plan.install) commands.push(formatCommand(installCommand(plan.packageManager)));
  if (plan.git) commands.push('git init + first commit');
  if (plan.verify) {
    commands.push(formatCommand(scriptCommand(plan.packageManager, 'typecheck')));
    commands.push(formatCommand(scriptCommand(plan.packageManager, 'test')));
  }
  return commands;
}

/** The --dry-run report: every file with its ownership class and size, then what would run. */
export function formatFilePlan(plan: CreatePlan, files: readonly RenderedFile[]): string {
  const entries = fileEntries(files);
  const width = Math.max(...entries.map((entry) => String(entry.bytes).length));
  const rows = entries.map(
    (entry) => `  ${entry.ownership.padEnd(7)}  ${String(entry.bytes).padStart(width)} B  ${entry.path}`,
  );
  const totalBytes = entries.reduce((sum, entry) => sum + entry.bytes, 0);
  const commands = plannedCommands(plan);
  return [
    `Dry run: would create ${plan.displayDir} (${describeAnswers(plan)})${plan.overwrite ? ', replacing its contents' : ''}`,
    '',
    ...rows,
    '',
    `  ${entries.length} files, ${totalBytes} bytes; plus ${MANIFEST_FILE} (hashes and ownership) and ${ENV_FILE} (a fresh SESSION_SECRET, untracked)`,
    commands.length > 0 ? `  then: ${commands.join(', ')}` : '  then: nothing (--no-install --no-git)',
    '',
    'Nothing was written.',
  ].join('\n');
}
