import path from 'node:path';
import {
  DEFAULT_ANSWERS,
  FRAMEWORKS,
  LOGINS,
  OptionError,
  PACKAGE_MANAGERS,
  STORAGES,
  SUPPORTED_COMBINATIONS,
  defaultFrameworkFor,
  defaultStorageFor,
  frameworksAvailableWith,
  isSupported,
  parseScopes,
  storagesAvailableWith,
  validateAnswers,
  type Answers,
  type Combinations,
  type Framework,
  type Login,
  type PackageManager,
  type Storage,
} from './options.js';
import { detectPackageManager } from './package-manager.js';
import { DEFAULT_DIR, projectNameProblem, promptForOpenChoices, type Choices, type PromptApi } from './prompts.js';
import { displayPath, isExistingFile, isNonEmptyDir } from './target-dir.js';

/** The create command's flags as yargs parsed them; a flag the user did not pass is undefined. */
export interface CreateFlags {
  dir?: string;
  framework?: string;
  storage?: string;
  scopes?: string;
  login?: string;
  packageManager?: string;
  install?: boolean;
  verify?: boolean;
  git?: boolean;
  yes?: boolean;
  overwrite?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** Everything the create command will do, decided and validated before anything is written. */
export interface CreatePlan {
  targetDir: string;
  /** How to show targetDir to the user (relative to cwd when below it). */
  displayDir: string;
  answers: Answers;
  packageManager: PackageManager;
  install: boolean;
  verify: boolean;
  git: boolean;
  overwrite: boolean;
}

export interface ResolveContext {
  cwd: string;
  env: Record<string, string | undefined>;
  /** Prompts are used only when this is true (TTYs, no --yes, no --json); the cli decides. */
  interactive: boolean;
  promptApi: PromptApi;
  /** Which framework + storage pairs have templates (SUPPORTED_COMBINATIONS unless a test says otherwise). */
  combinations?: Combinations;
}

const FRAMEWORK_VALUES: readonly Framework[] = FRAMEWORKS.map((f) => f.value);
const STORAGE_VALUES: readonly Storage[] = STORAGES.map((s) => s.value);
const LOGIN_VALUES: readonly Login[] = LOGINS.map((l) => l.value);

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new OptionError(`--${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
}

function listCombinations(combinations: Combinations): string {
  return frameworksAvailableWith(undefined, combinations)
    .map((framework) => `${framework} with ${storagesAvailableWith(framework, combinations).join('/')}`)
    .join('; ');
}

function nonEmptyDirError(displayDir: string): OptionError {
  const shown = displayDir === '.' ? 'the current directory' : `directory ${displayDir}`;
  return new OptionError(
    `${shown} is not empty; pass --overwrite to replace its contents (node_modules and .git are kept)`,
  );
}

function checkTargetDir(cwd: string, dir: string, overwrite: boolean): void {
  const nameProblem = projectNameProblem(cwd, dir);
  const target = path.resolve(cwd, dir);
  if (nameProblem) throw new OptionError(`${nameProblem} (the directory name becomes the package name)`);
  if (isExistingFile(target)) throw new OptionError(`${displayPath(cwd, target)} exists and is not a directory`);
  if (!overwrite && isNonEmptyDir(target)) throw nonEmptyDirError(displayPath(cwd, target));
}

/** Turns the flags into typed choices, refusing bad values and combinations before any prompt. */
export function choicesFromFlags(
  flags: CreateFlags,
  cwd: string,
  interactive: boolean,
  combinations: Combinations = SUPPORTED_COMBINATIONS,
): Partial<Choices> {
  const choices: Partial<Choices> = {};
  if (flags.framework !== undefined) choices.framework = oneOf('framework', flags.framework, FRAMEWORK_VALUES);
  if (flags.storage !== undefined) choices.storage = oneOf('storage', flags.storage, STORAGE_VALUES);
  const available = listCombinations(combinations);
  if (choices.framework && choices.storage && !isSupported(choices.framework, choices.storage, combinations)) {
    throw new OptionError(
      `${choices.framework} with ${choices.storage} storage is not available yet (available: ${available})`,
    );
  }
  if (choices.framework && !frameworksAvailableWith(undefined, combinations).includes(choices.framework)) {
    throw new OptionError(`--framework ${choices.framework} is not available yet (available: ${available})`);
  }
  if (choices.storage && !storagesAvailableWith(undefined, combinations).includes(choices.storage)) {
    throw new OptionError(`--storage ${choices.storage} is not available yet (available: ${available})`);
  }
  if (flags.scopes !== undefined) choices.scopes = parseScopes(flags.scopes);
  if (flags.login !== undefined) choices.login = oneOf('login', flags.login, LOGIN_VALUES);
  if (flags.install !== undefined) choices.install = flags.install;
  if (flags.git !== undefined) choices.git = flags.git;
  if (flags.install === false && flags.verify === true) {
    throw new OptionError('--verify runs the tests of the installed project; it cannot be combined with --no-install');
  }
  choices.overwrite = flags.overwrite ?? false;
  if (flags.dir !== undefined) {
    choices.dir = flags.dir;
    // a non-empty directory is asked about interactively, refused otherwise
    checkTargetDir(cwd, flags.dir, choices.overwrite || interactive);
  }
  return choices;
}

/** Flags first, then prompts for what is still open (interactive only), then defaults. */
export async function resolvePlan(flags: CreateFlags, ctx: ResolveContext): Promise<CreatePlan> {
  const packageManager = flags.packageManager
    ? oneOf('package-manager', flags.packageManager, PACKAGE_MANAGERS)
    : detectPackageManager(ctx.env.npm_config_user_agent);
  const combinations = ctx.combinations ?? SUPPORTED_COMBINATIONS;
  let choices = choicesFromFlags(flags, ctx.cwd, ctx.interactive, combinations);
  if (ctx.interactive) {
    choices = await promptForOpenChoices(choices, {
      api: ctx.promptApi,
      cwd: ctx.cwd,
      packageManager,
      isNonEmptyDir,
      combinations,
    });
  }

  const dir = choices.dir ?? DEFAULT_DIR;
  const overwrite = choices.overwrite ?? false;
  if (choices.dir === undefined) checkTargetDir(ctx.cwd, dir, overwrite);
  const targetDir = path.resolve(ctx.cwd, dir);
  const framework = choices.framework ?? defaultFrameworkFor(choices.storage, combinations);
  const storage = choices.storage ?? defaultStorageFor(framework, combinations);
  if (!framework || !storage) {
    throw new OptionError(`no templates for this choice (available: ${listCombinations(combinations)})`);
  }

  const answers = validateAnswers(
    {
      projectName: path.basename(targetDir),
      framework,
      storage,
      scopes: choices.scopes ?? [...DEFAULT_ANSWERS.scopes],
      login: choices.login ?? DEFAULT_ANSWERS.login,
    },
    combinations,
  );
  const install = choices.install ?? true;
  return {
    targetDir,
    displayDir: displayPath(ctx.cwd, targetDir),
    answers,
    packageManager,
    install,
    verify: install && (flags.verify ?? true),
    git: choices.git ?? true,
    overwrite,
  };
}
