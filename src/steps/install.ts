import { formatCommand, installCommand, quietInstallCommand } from '../package-manager.js';
import type { PackageManager } from '../options.js';
import type { Ui } from '../ui.js';
import { outputTail, runTask, type StepFailure } from './run-command.js';

export interface InstallOutcome {
  ok: boolean;
  durationMs: number;
  failure?: StepFailure;
}

export async function installDependencies(dir: string, pm: PackageManager, ui: Ui): Promise<InstallOutcome> {
  const run = await runTask(
    ui,
    { running: 'Installing dependencies', done: 'Installed dependencies', failed: 'Install failed' },
    quietInstallCommand(pm),
    dir,
  );
  if (run.ok) return { ok: true, durationMs: run.durationMs };
  return {
    ok: false,
    durationMs: run.durationMs,
    failure: { command: formatCommand(installCommand(pm)), outputTail: outputTail(run.output) },
  };
}
