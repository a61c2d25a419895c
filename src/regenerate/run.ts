import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { CliError } from '../errors.js';
import { OptionError, PACKAGE_MANAGERS, type Answers, type PackageManager } from '../options.js';
import { detectPackageManager, formatCommand, installCommand, scriptCommand, shellQuote } from '../package-manager.js';
import type { Manifest } from '../render/manifest.js';
import { renderProject, type RenderedFile } from '../render/render.js';
import { installDependencies } from '../steps/install.js';
import { formatDuration, type StepFailure } from '../steps/run-command.js';
import { verifyProject } from '../steps/verify.js';
import { displayPath } from '../target-dir.js';
import { createClackUi, createPlainUi, type Ui } from '../ui.js';
import { GENERATOR_VERSION } from '../version.js';
import { applyPlan } from './apply.js';
import { createBaseLookup, readBaseFile } from './base-render.js';
import { checkWorkTree, requireGit } from './git-checks.js';
import { readManifest } from './manifest-reader.js';
import { applyOverrides } from './overrides.js';
import { changesDisk, planRegenerate, type RegeneratePlan } from './plan.js';
import { packageManagerOfProject } from './project-package-manager.js';
import { buildResult, conflictAdvice, formatPlan, type RegenerateMode, type RegenerateResult } from './report.js';

/** Files were written, but conflicts need the user: markers in files, or package.json keys both changed. */
export const EXIT_CONFLICTS = 2;

/** The regenerate command's flags as yargs parsed them; a flag the user did not pass is undefined. */
export interface RegenerateFlags {
  dir?: string;
  set?: string[];
  allowDirty?: boolean;
  dryRun?: boolean;
  check?: boolean;
  json?: boolean;
  install?: boolean;
  verify?: boolean;
  packageManager?: string;
}

/** The world the command runs in; tests pass their own. */
export interface RegenerateEnvironment {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdoutIsTTY: boolean;
}

function chooseUi(json: boolean, env: RegenerateEnvironment): Ui {
  if (json) return createPlainUi(env.stderr, env.stderr);
  return env.stdoutIsTTY ? createClackUi() : createPlainUi(env.stdout, env.stderr);
}

function modeOf(flags: RegenerateFlags): RegenerateMode {
  if (flags.check) return 'check';
  return flags.dryRun ? 'dry-run' : 'apply';
}

function resolveProjectDir(cwd: string, dir: string | undefined): { dir: string; displayDir: string } {
  const target = path.resolve(cwd, dir ?? '.');
  const displayDir = displayPath(cwd, target);
  if (!existsSync(target) || !statSync(target).isDirectory()) {
    throw new CliError(`${displayDir} is not a directory`);
  }
  return { dir: target, displayDir };
}

function choosePackageManager(flags: RegenerateFlags, dir: string, env: RegenerateEnvironment): PackageManager {
  if (flags.packageManager !== undefined) {
    const chosen = PACKAGE_MANAGERS.find((pm) => pm === flags.packageManager);
    if (!chosen) {
      throw new OptionError(
        `--package-manager must be one of ${PACKAGE_MANAGERS.join(', ')} (got "${flags.packageManager}")`,
      );
    }
    return chosen;
  }
  return packageManagerOfProject(dir) ?? detectPackageManager(env.env.npm_config_user_agent);
}

async function render(answers: Answers): Promise<RenderedFile[]> {
  try {
    return await renderProject(answers);
  } catch (error) {
    throw new CliError(`could not render the project (a generator bug, please report it): ${(error as Error).message}`);
  }
}

async function readIfFile(file: string): Promise<string | undefined> {
  if (!existsSync(file) || !statSync(file).isFile()) return undefined;
  return readFile(file, 'utf8');
}

async function planProject(dir: string, manifest: Manifest, answers: Answers) {
  const baseFile = await readBaseFile(dir);
  const rendered = await render(answers);
  const renderRecorded = () =>
    isDeepStrictEqual(answers, manifest.answers) ? Promise.resolve(rendered) : render(manifest.answers);
  const plan = await planRegenerate({
    recorded: manifest,
    answers,
    rendered,
    generatorVersion: GENERATOR_VERSION,
    readDisk: (file) => readIfFile(path.join(dir, file)),
    baseOf: createBaseLookup(manifest, baseFile, renderRecorded),
  });
  return { plan, baseFile };
}

interface Session {
  dir: string;
  displayDir: string;
  packageManager: PackageManager;
  ui: Ui;
  result: RegenerateResult;
  finish(exitCode: number): number;
}

function commandsFor(pm: PackageManager) {
  return {
    install: formatCommand(installCommand(pm)),
    typecheck: formatCommand(scriptCommand(pm, 'typecheck')),
    test: formatCommand(scriptCommand(pm, 'test')),
  };
}

function stepFailed(session: Session, what: string, failure: StepFailure): number {
  const { ui, displayDir, result } = session;
  const rerun = displayDir === '.' ? failure.command : `cd ${shellQuote(displayDir)} && ${failure.command}`;
  ui.note(failure.outputTail, `Last lines of ${failure.command}`);
  ui.error(`${what}. The regenerated files are written; review them with git diff.`);
  ui.outro(`Fix the problem, then rerun: ${rerun}`);
  result.error = { message: what, rerun, outputTail: failure.outputTail };
  return session.finish(1);
}

/**
 * After writing: reinstall when the dependencies changed (or were never installed), then the project's type
 * check and tests, unless conflict markers make that pointless. Returns the exit code when the run ends on a
 * failure or with conflicts to resolve, undefined when everything went well.
 */
async function installAndVerify(
  session: Session,
  plan: RegeneratePlan,
  flags: RegenerateFlags,
): Promise<number | undefined> {
  const { dir, packageManager, ui, result } = session;
  const commands = commandsFor(packageManager);
  const hasModules = existsSync(path.join(dir, 'node_modules'));
  const needsInstall = plan.dependenciesChanged || !hasModules;
  let installed = !needsInstall;
  if (needsInstall && flags.install !== false) {
    const { failure, ...outcome } = await installDependencies(dir, packageManager, ui);
    result.install = outcome;
    if (failure) return stepFailed(session, 'Installing dependencies failed', failure);
    installed = true;
  } else if (needsInstall) {
    ui.warn(`${plan.dependenciesChanged ? 'The dependencies changed' : 'No node_modules'}: run ${commands.install}`);
  }

  const hasMarkers = plan.files.some((file) => file.action === 'conflicted' && file.path !== 'package.json');
  if (flags.verify !== false) {
    if (hasMarkers) {
      ui.info('Not verified: resolve the conflicts first.');
    } else if (!installed) {
      ui.info(`Not verified: install the dependencies first (${commands.install}).`);
    } else {
      const { failure, ...outcome } = await verifyProject(dir, packageManager, ui);
      result.verify = outcome;
      if (failure) return stepFailed(session, 'The regenerated project did not pass its checks', failure);
    }
  }

  if (plan.conflicts > 0) {
    ui.note(conflictAdvice(result), 'Conflicts to resolve');
    ui.outro(`Then run ${commands.typecheck} && ${commands.test}, review with git diff, and commit.`);
    return session.finish(EXIT_CONFLICTS);
  }
  return undefined;
}

/**
 * The regenerate command: re-renders the recorded answers (with --set overrides) with this generator,
 * merges the result into the project file by file, and writes the base render and the manifest last.
 * Returns the exit code; throws CliError/OptionError for problems found before anything is written.
 */
export async function runRegenerate(flags: RegenerateFlags, env: RegenerateEnvironment): Promise<number> {
  const started = performance.now();
  const json = flags.json ?? false;
  const mode = modeOf(flags);
  const ui = chooseUi(json, env);
  if (!json && env.stdoutIsTTY) ui.intro(`create-mcp-oauth-server ${GENERATOR_VERSION} regenerate`);

  const { dir, displayDir } = resolveProjectDir(env.cwd, flags.dir);
  const manifest = await readManifest(dir, displayDir, GENERATOR_VERSION);
  const answers = applyOverrides(manifest.answers, flags.set ?? []);
  const packageManager = choosePackageManager(flags, dir, env);
  await requireGit(dir);
  // --check and --dry-run write nothing, so uncommitted work is no reason to refuse them
  if (mode === 'apply') await checkWorkTree(dir, displayDir, flags.allowDirty ?? false);

  const planning = ui.startTask(`Rendering with generator ${GENERATOR_VERSION} and planning the merge`);
  const { plan, baseFile } = await planProject(dir, manifest, answers).catch((error: unknown) => {
    planning.fail('Planning failed; nothing was written');
    throw error;
  });
  planning.succeed(`Planned: ${plan.updateAvailable ? 'an update is available' : 'up to date'}`);

  const result = buildResult({
    mode,
    dir,
    recordedVersion: manifest.generator.version,
    generatorVersion: GENERATOR_VERSION,
    recordedAnswers: manifest.answers,
    answers,
    baseFile,
    plan,
  });
  const session: Session = {
    dir,
    displayDir,
    packageManager,
    ui,
    result,
    finish(exitCode) {
      // --check finding an update is a successful check; elsewhere only exit 0 is success
      result.ok = exitCode === 0 || (mode === 'check' && result.error === undefined);
      result.durationMs = Math.round(performance.now() - started);
      if (json) env.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return exitCode;
    },
  };
  const project = displayDir === '.' ? answers.projectName : `${answers.projectName} in ${displayDir}`;
  if (!json) ui.note(formatPlan(result), mode === 'apply' ? `Regenerating ${project}` : `Plan for ${project}`);

  if (mode === 'check') {
    const rerun = `create-mcp-oauth-server regenerate${displayDir === '.' ? '' : ` ${shellQuote(displayDir)}`}`;
    ui.outro(
      plan.updateAvailable ? `Update available: run ${rerun}` : `Up to date with generator ${GENERATOR_VERSION}.`,
    );
    return session.finish(plan.updateAvailable ? 1 : 0);
  }
  if (mode === 'dry-run') {
    ui.outro('Dry run: nothing was written.');
    return session.finish(0);
  }
  if (!plan.updateAvailable && baseFile.status === 'present') {
    if (plan.conflicts > 0) {
      ui.note(conflictAdvice(result), 'Conflicts remain');
      ui.outro('Nothing to update, but conflicts from an earlier regenerate remain.');
      return session.finish(EXIT_CONFLICTS);
    }
    ui.outro(`Up to date with generator ${GENERATOR_VERSION}: nothing was written.`);
    return session.finish(0);
  }

  await applyPlan(dir, plan);
  result.written = true;
  const changed = plan.files.filter(changesDisk).length;
  ui.success(`Changed ${changed} file${changed === 1 ? '' : 's'}, then wrote the base render and the manifest`);

  const exitCode = await installAndVerify(session, plan, flags);
  if (exitCode !== undefined) return exitCode;
  const took = formatDuration(Math.round(performance.now() - started));
  ui.outro(`Done in ${took}: review the changes with git diff, then commit them.`);
  return session.finish(0);
}
