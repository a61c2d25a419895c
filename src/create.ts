import { performance } from 'node:perf_hooks';
import type { Answers, PackageManager } from './options.js';
import { shellQuote } from './package-manager.js';
import { describeAnswers, fileEntries, formatFilePlan, plannedCommands, type FileEntry } from './plan-report.js';
import { nextSteps } from './next-steps.js';
import { createClackPromptApi, type PromptApi } from './prompts.js';
import { renderProject, type RenderedFile } from './render/render.js';
import { resolvePlan, type CreateFlags, type CreatePlan } from './resolve-plan.js';
import { initGitRepository, type GitOutcome } from './steps/git.js';
import { installDependencies, type InstallOutcome } from './steps/install.js';
import { formatDuration, type StepFailure } from './steps/run-command.js';
import { verifyProject, type VerifyOutcome } from './steps/verify.js';
import { createClackUi, createPlainUi, type Ui } from './ui.js';
import { GENERATOR_VERSION } from './version.js';
import { writeProject } from './write-project.js';
import { CliError } from './errors.js';

/** The world the create command runs in; tests pass their own. */
export interface CreateEnvironment {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  promptApi?: PromptApi;
  templatesDir?: string;
  ui?: Ui;
}

/** The --json document. Steps that did not run are null. */
export interface CreateResult {
  ok: boolean;
  dryRun: boolean;
  generatorVersion: string;
  dir: string;
  answers: Answers;
  packageManager: PackageManager;
  files: FileEntry[];
  install: Omit<InstallOutcome, 'failure'> | null;
  verify: Omit<VerifyOutcome, 'failure'> | null;
  git: GitOutcome | null;
  durationMs: number;
  error?: { message: string; rerun: string; outputTail: string };
}

function chooseUi(json: boolean, env: CreateEnvironment): Ui {
  if (env.ui) return env.ui;
  if (json) return createPlainUi(env.stderr, env.stderr);
  return env.stdoutIsTTY ? createClackUi() : createPlainUi(env.stdout, env.stderr);
}

function rerunCommand(plan: CreatePlan, command: string): string {
  return plan.displayDir === '.' ? command : `cd ${shellQuote(plan.displayDir)} && ${command}`;
}

function reportStepFailure(ui: Ui, plan: CreatePlan, what: string, failure: StepFailure, notRun: string[]): string {
  const rerun = rerunCommand(plan, failure.command);
  ui.note(failure.outputTail, `Last lines of ${failure.command}`);
  ui.error(`${what}. The generated files are kept in ${plan.displayDir}.`);
  if (notRun.length > 0) ui.info(`Not run because of this: ${notRun.join(', ')}`);
  ui.outro(`Fix the problem, then rerun: ${rerun}`);
  return rerun;
}

async function render(plan: CreatePlan, templatesDir: string | undefined): Promise<RenderedFile[]> {
  try {
    return await renderProject(plan.answers, templatesDir);
  } catch (error) {
    // a template problem is a bug in the generator, not in the user's input; say so plainly
    throw new CliError(`could not render the project (a generator bug, please report it): ${(error as Error).message}`);
  }
}

/** The default command. Returns the exit code; throws CliError/OptionError for problems found before writing. */
export async function runCreate(flags: CreateFlags, env: CreateEnvironment): Promise<number> {
  const started = performance.now();
  const json = flags.json ?? false;
  const interactive = env.stdinIsTTY && env.stdoutIsTTY && !flags.yes && !json;
  const ui = chooseUi(json, env);
  if (!json && env.stdoutIsTTY) ui.intro(`create-mcp-oauth-server ${GENERATOR_VERSION}`);

  const plan = await resolvePlan(flags, {
    cwd: env.cwd,
    env: env.env,
    interactive,
    promptApi: env.promptApi ?? createClackPromptApi(),
  });
  const rendering = flags.dryRun ? undefined : ui.startTask('Rendering the project');
  const files = await render(plan, env.templatesDir).catch((error: unknown) => {
    rendering?.fail('Rendering failed; nothing was written');
    throw error;
  });
  const result: CreateResult = {
    ok: true,
    dryRun: flags.dryRun ?? false,
    generatorVersion: GENERATOR_VERSION,
    dir: plan.targetDir,
    answers: plan.answers,
    packageManager: plan.packageManager,
    files: fileEntries(files),
    install: null,
    verify: null,
    git: null,
    durationMs: 0,
  };
  const finish = (exitCode: number): number => {
    result.ok = exitCode === 0;
    result.durationMs = Math.round(performance.now() - started);
    if (json) env.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return exitCode;
  };

  if (flags.dryRun) {
    if (!json) env.stdout.write(`${formatFilePlan(plan, files)}\n`);
    return finish(0);
  }

  await writeProject(plan.targetDir, plan.answers, files, { overwrite: plan.overwrite }).catch((error: unknown) => {
    rendering?.fail(`Writing to ${plan.displayDir} failed`);
    throw error;
  });
  rendering?.succeed(`Created ${files.length} files in ${plan.displayDir} (${describeAnswers(plan)})`);

  const remaining = plannedCommands(plan);
  if (plan.install) {
    const { failure, ...outcome } = await installDependencies(plan.targetDir, plan.packageManager, ui);
    result.install = outcome;
    if (failure) {
      const rerun = reportStepFailure(ui, plan, 'Installing dependencies failed', failure, remaining.slice(1));
      result.error = { message: 'install failed', rerun, outputTail: failure.outputTail };
      return finish(1);
    }
  }
  if (plan.git) {
    // before verification, so a failing test still leaves a committed starting point to diff against
    result.git = await initGitRepository(plan.targetDir, ui);
    if (!result.git.ok) ui.warn('The project is complete, but has no git repository; run git init yourself.');
  }
  if (plan.verify) {
    const { failure, ...outcome } = await verifyProject(plan.targetDir, plan.packageManager, ui);
    result.verify = outcome;
    if (failure) {
      const rerun = reportStepFailure(ui, plan, 'The generated project did not pass its checks', failure, []);
      result.error = { message: 'verification failed', rerun, outputTail: failure.outputTail };
      return finish(1);
    }
  }

  ui.note(nextSteps(plan, files), 'Next steps');
  ui.outro(`Done in ${formatDuration(Math.round(performance.now() - started))}.`);
  return finish(0);
}
