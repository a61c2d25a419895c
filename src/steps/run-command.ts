import { performance } from 'node:perf_hooks';
import { formatCommand, type Command } from '../package-manager.js';
import type { Ui } from '../ui.js';

export interface CommandRun {
  ok: boolean;
  durationMs: number;
  /** stdout and stderr interleaved as the command wrote them. */
  output: string;
}

/** Runs a command to completion without a shell or stdin, capturing its output; never throws for a failed command. */
export async function runCommand(command: Command, cwd: string, env: Record<string, string> = {}): Promise<CommandRun> {
  const started = performance.now();
  // Loaded here, not at the top: execa is the heaviest import, and a render-only create runs no command.
  const { execa } = await import('execa');
  const result = await execa(command.file, command.args, {
    cwd,
    env,
    all: true,
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
  });
  const durationMs = Math.round(performance.now() - started);
  if (result.failed && result.exitCode === undefined) {
    // the program could not be started at all (ENOENT: not installed, not on PATH)
    return {
      ok: false,
      durationMs,
      output: `${formatCommand(command)}: ${result.originalMessage ?? result.shortMessage}\n`,
    };
  }
  return { ok: !result.failed, durationMs, output: result.all ?? '' };
}

export function outputTail(output: string, lines = 40): string {
  const all = output
    .replace(/^\s*\n/, '')
    .replace(/\s+$/, '')
    .split('\n');
  const tail = all.slice(-lines).join('\n');
  return all.length > lines ? `… (${all.length - lines} earlier lines)\n${tail}` : tail;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** What a step reports when its command fails: the command to rerun and the end of its output. */
export interface StepFailure {
  command: string;
  outputTail: string;
}

/** Runs one command under a spinner (or plain progress lines). */
export async function runTask(
  ui: Ui,
  labels: { running: string; done: string; failed: string },
  command: Command,
  cwd: string,
  env?: Record<string, string>,
): Promise<CommandRun> {
  const task = ui.startTask(`${labels.running} (${formatCommand(command)})`);
  const run = await runCommand(command, cwd, env);
  if (run.ok) task.succeed(`${labels.done} in ${formatDuration(run.durationMs)}`);
  else task.fail(`${labels.failed} after ${formatDuration(run.durationMs)}: ${formatCommand(command)}`);
  return run;
}
