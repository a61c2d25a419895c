import path from 'node:path';
import * as clack from '@clack/prompts';
import { CancelledError } from './errors.js';
import {
  DEFAULT_ANSWERS,
  FRAMEWORKS,
  LOGINS,
  OptionError,
  STORAGES,
  defaultFrameworkFor,
  defaultStorageFor,
  frameworksAvailableWith,
  labelOf,
  parseScopes,
  storagesAvailableWith,
  validateProjectName,
  type Combinations,
  type Framework,
  type Login,
  type PackageManager,
  type Storage,
} from './options.js';

export interface SelectOption<T extends string> {
  value: T;
  label: string;
  hint?: string;
  disabled?: boolean;
}

/** The few prompt functions we use, narrowed so tests can pass stubs. `createClackPromptApi` is the real one. */
export interface PromptApi {
  text(options: {
    message: string;
    placeholder?: string;
    defaultValue?: string;
    initialValue?: string;
    validate?: (value: string | undefined) => string | undefined;
  }): Promise<string | symbol>;
  select<T extends string>(options: {
    message: string;
    options: SelectOption<T>[];
    initialValue?: T;
  }): Promise<T | symbol>;
  confirm(options: { message: string; initialValue?: boolean }): Promise<boolean | symbol>;
  isCancel(value: unknown): value is symbol;
}

export function createClackPromptApi(): PromptApi {
  return {
    text: (options) => clack.text(options),
    // clack's option type is conditional on the value type, which TypeScript cannot resolve for a generic T
    select: (options) => clack.select(options as Parameters<typeof clack.select>[0]) as never,
    confirm: (options) => clack.confirm(options),
    isCancel: (value): value is symbol => clack.isCancel(value),
  };
}

/** Every choice the create command needs. Flags fill some, prompts the open ones, defaults the rest. */
export interface Choices {
  /** The target directory as the user typed it; its basename is the package name. */
  dir: string;
  framework: Framework;
  storage: Storage;
  scopes: string[];
  login: Login;
  install: boolean;
  git: boolean;
  /** The target directory may be non-empty: its contents are replaced (node_modules and .git are kept). */
  overwrite: boolean;
}

export const DEFAULT_DIR = 'mcp-oauth-server';

export interface PromptContext {
  api: PromptApi;
  cwd: string;
  packageManager: PackageManager;
  /** Whether a directory exists and has something in it besides .git. */
  isNonEmptyDir(dir: string): boolean;
  /** Which framework + storage pairs have templates (SUPPORTED_COMBINATIONS unless a test says otherwise). */
  combinations?: Combinations;
}

function answered<T>(api: PromptApi, value: T | symbol): T {
  if (api.isCancel(value)) throw new CancelledError();
  return value as T;
}

export function projectNameProblem(cwd: string, dir: string): string | undefined {
  return validateProjectName(path.basename(path.resolve(cwd, dir)));
}

async function askDir(ctx: PromptContext): Promise<string> {
  const value = await ctx.api.text({
    message: 'Where should the project go?',
    placeholder: DEFAULT_DIR,
    defaultValue: DEFAULT_DIR,
    validate: (input) => projectNameProblem(ctx.cwd, input?.trim() || DEFAULT_DIR),
  });
  return answered(ctx.api, value).trim() || DEFAULT_DIR;
}

async function confirmOverwrite(ctx: PromptContext, dir: string): Promise<true> {
  const shown = dir === '.' ? 'The current directory' : `Directory ${dir}`;
  const value = await ctx.api.confirm({
    message: `${shown} is not empty. Remove its files and continue? (node_modules and .git are kept)`,
    initialValue: false,
  });
  if (!answered(ctx.api, value)) throw new CancelledError('Cancelled: the directory was left as it was.');
  return true;
}

/**
 * Options the data tables offer: every entry is listed, the ones without templates for the other
 * choice are shown disabled so users see what is coming.
 */
function selectOptions<T extends string>(
  table: ReadonlyArray<{ value: T; label: string; hint: string }>,
  available: readonly T[],
): SelectOption<T>[] {
  return table.map((entry) =>
    available.includes(entry.value)
      ? { value: entry.value, label: entry.label, hint: entry.hint }
      : { value: entry.value, label: entry.label, hint: 'not available yet', disabled: true },
  );
}

/** Asked only when there is more than one option to pick; a single available option is taken as is. */
async function askFramework(ctx: PromptContext, storage: Storage | undefined): Promise<Framework | undefined> {
  const available = frameworksAvailableWith(storage, ctx.combinations);
  if (available.length <= 1) return available[0];
  const value = await ctx.api.select({
    message: 'Which web framework?',
    options: selectOptions(FRAMEWORKS, available),
    initialValue: defaultFrameworkFor(storage, ctx.combinations),
  });
  return answered(ctx.api, value);
}

async function askStorage(ctx: PromptContext, framework: Framework | undefined): Promise<Storage | undefined> {
  const available = storagesAvailableWith(framework, ctx.combinations);
  if (available.length <= 1) return available[0];
  const value = await ctx.api.select({
    message: framework
      ? `Where should ${labelOf(FRAMEWORKS, framework)} keep clients, tokens and accounts?`
      : 'Which storage?',
    options: selectOptions(STORAGES, available),
    initialValue: defaultStorageFor(framework, ctx.combinations),
  });
  return answered(ctx.api, value);
}

async function askScopes(ctx: PromptContext): Promise<string[]> {
  const value = await ctx.api.text({
    message: 'Which OAuth scopes? (comma-separated; the first is the baseline every token gets)',
    initialValue: DEFAULT_ANSWERS.scopes.join(','),
    validate: (input) => {
      try {
        parseScopes(input ?? '');
        return undefined;
      } catch (error) {
        if (error instanceof OptionError) return error.message;
        throw error;
      }
    },
  });
  return parseScopes(answered(ctx.api, value));
}

async function askLogin(ctx: PromptContext): Promise<Login | undefined> {
  if (LOGINS.length <= 1) return LOGINS[0]?.value;
  const value = await ctx.api.select({
    message: 'How do users sign in?',
    options: LOGINS.map((login) => ({ value: login.value, label: login.label, hint: login.hint })),
    initialValue: DEFAULT_ANSWERS.login,
  });
  return answered(ctx.api, value);
}

async function askYesNo(ctx: PromptContext, message: string): Promise<boolean> {
  return answered(ctx.api, await ctx.api.confirm({ message, initialValue: true }));
}

/**
 * Asks, in order, for every choice the flags left open, and returns the flags' choices plus the answers.
 * Throws CancelledError on Ctrl-C / Escape, before anything is written.
 */
export async function promptForOpenChoices(known: Partial<Choices>, ctx: PromptContext): Promise<Partial<Choices>> {
  const choices: Partial<Choices> = { ...known };
  choices.dir ??= await askDir(ctx);
  if (!choices.overwrite && ctx.isNonEmptyDir(path.resolve(ctx.cwd, choices.dir))) {
    choices.overwrite = await confirmOverwrite(ctx, choices.dir);
  }
  choices.framework ??= await askFramework(ctx, choices.storage);
  choices.storage ??= await askStorage(ctx, choices.framework);
  choices.scopes ??= await askScopes(ctx);
  choices.login ??= await askLogin(ctx);
  choices.install ??= await askYesNo(ctx, `Install dependencies with ${ctx.packageManager}?`);
  choices.git ??= await askYesNo(ctx, 'Initialize a git repository?');
  return choices;
}
