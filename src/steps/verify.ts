import { performance } from 'node:perf_hooks';
import { formatCommand, scriptCommand } from '../package-manager.js';
import type { PackageManager } from '../options.js';
import type { Ui } from '../ui.js';
import { formatDuration, outputTail, runCommand, type StepFailure } from './run-command.js';
import { formatTestCounts, parseVitestSummary, type TestCounts } from './vitest-summary.js';

export interface VerifyOutcome {
  ok: boolean;
  durationMs: number;
  /** From the test run's summary; null when the tests did not run or printed no vitest summary. */
  tests: TestCounts | null;
  /**
   * What the suite said it left out, e.g. the tests that need a PostgreSQL server when
   * DATABASE_URL is not set. A pass with this set is a partial pass, and says so.
   */
  notRun?: string;
  failure?: StepFailure;
}

/** Generated suites announce tests they could not run with a line starting "NOT RUN:". */
function notRunNotice(output: string): string | undefined {
  return /^NOT RUN: (.*)$/m.exec(output)?.[1]?.trim();
}

/**
 * Proves the generated project works on this machine: its type check and its own test suite, run side by
 * side (the suite mostly waits on sockets, the type check on the CPU), so verify takes about as long as the
 * slower of the two. A failed type check is reported first. CI=true keeps every test runner out of watch
 * mode and interactive output. `durationMs` is the wall time of both.
 */
export async function verifyProject(dir: string, pm: PackageManager, ui: Ui): Promise<VerifyOutcome> {
  const env = { CI: 'true' };
  const task = ui.startTask('Verifying the project: type check and test suite');
  const started = performance.now();
  const typecheck = scriptCommand(pm, 'typecheck');
  const test = scriptCommand(pm, 'test');
  const [typecheckRun, testRun] = await Promise.all([runCommand(typecheck, dir, env), runCommand(test, dir, env)]);
  const durationMs = Math.round(performance.now() - started);
  const tests = parseVitestSummary(testRun.output);

  if (!typecheckRun.ok) {
    task.fail(`Type check failed after ${formatDuration(typecheckRun.durationMs)}: ${formatCommand(typecheck)}`);
    return {
      ok: false,
      durationMs,
      tests,
      failure: { command: formatCommand(typecheck), outputTail: outputTail(typecheckRun.output) },
    };
  }

  const counts = tests ? ` (${formatTestCounts(tests)})` : '';
  if (!testRun.ok) {
    task.fail(`Tests failed after ${formatDuration(durationMs)}${counts}: ${formatCommand(test)}`);
    return {
      ok: false,
      durationMs,
      tests,
      failure: { command: formatCommand(test), outputTail: outputTail(testRun.output) },
    };
  }
  const notRun = notRunNotice(testRun.output);
  if (notRun) {
    task.warn(`Type check and tests passed in ${formatDuration(durationMs)}${counts}, but NOT RUN: ${notRun}`);
    return { ok: true, durationMs, tests, notRun };
  }
  task.succeed(`Type check and tests passed in ${formatDuration(durationMs)}${counts}`);
  return { ok: true, durationMs, tests };
}
