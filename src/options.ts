/**
 * The answer schema: every choice a user makes, its valid values, defaults and validation.
 * Prompts, --help, validation, golden snapshots and the e2e matrix all read these tables.
 */

export const FRAMEWORKS = [
  { value: 'express', label: 'Express', hint: 'Express 5, the most common Node server' },
  { value: 'fastify', label: 'Fastify', hint: 'Fastify 5, schema-first and fast' },
  { value: 'hono', label: 'Hono', hint: 'Hono on Node, web-standard Request/Response' },
] as const;

export const STORAGES = [
  { value: 'sqlite', label: 'SQLite', hint: 'embedded file, persistent, zero setup' },
  { value: 'postgres', label: 'PostgreSQL', hint: 'shared store for several instances (DATABASE_URL)' },
  { value: 'redis', label: 'Redis', hint: 'shared store for several instances (REDIS_URL)' },
  { value: 'memory', label: 'Memory', hint: 'no persistence: tests and demos only' },
] as const;

export const LOGINS = [
  { value: 'local', label: 'Built-in accounts', hint: 'email + password, argon2id-hashed' },
] as const;

export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'bun'] as const;

export type Framework = (typeof FRAMEWORKS)[number]['value'];
export type Storage = (typeof STORAGES)[number]['value'];
export type Login = (typeof LOGINS)[number]['value'];
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/** What gets rendered. Only these go into the manifest: rendering is a pure function of them. */
export interface Answers {
  projectName: string;
  framework: Framework;
  storage: Storage;
  scopes: string[];
  login: Login;
}

export const DEFAULT_ANSWERS: Omit<Answers, 'projectName'> = {
  framework: 'express',
  storage: 'sqlite',
  scopes: ['mcp:read', 'mcp:write'],
  login: 'local',
};

/**
 * Combinations whose templates exist. Prompts offer only these, validation refuses the rest,
 * golden snapshots and the e2e matrix iterate over them.
 */
export type Combinations = ReadonlyArray<{ framework: Framework; storage: Storage }>;

export const SUPPORTED_COMBINATIONS: Combinations = [
  { framework: 'express', storage: 'sqlite' },
  { framework: 'express', storage: 'postgres' },
  { framework: 'express', storage: 'redis' },
  { framework: 'express', storage: 'memory' },
  { framework: 'fastify', storage: 'sqlite' },
  { framework: 'fastify', storage: 'postgres' },
  { framework: 'fastify', storage: 'redis' },
  { framework: 'fastify', storage: 'memory' },
  { framework: 'hono', storage: 'sqlite' },
  { framework: 'hono', storage: 'postgres' },
  { framework: 'hono', storage: 'redis' },
  { framework: 'hono', storage: 'memory' },
];

/** The functions below take the combination table as a parameter only so tests can pass a smaller one. */
export function isSupported(
  framework: Framework,
  storage: Storage,
  combinations: Combinations = SUPPORTED_COMBINATIONS,
): boolean {
  return combinations.some((c) => c.framework === framework && c.storage === storage);
}

const SCOPE_PATTERN = /^[a-z][a-z0-9_.:-]*$/;
/** npm package name rules, minus scoped names (the directory name becomes the package name). */
const PROJECT_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

export class OptionError extends Error {}

export function parseScopes(input: string | readonly string[]): string[] {
  const raw = typeof input === 'string' ? input.split(',') : input.flatMap((s) => s.split(','));
  const scopes = raw.map((s) => s.trim()).filter((s) => s.length > 0);
  if (scopes.length === 0) throw new OptionError('--scopes needs at least one scope name');
  for (const scope of scopes) {
    if (!SCOPE_PATTERN.test(scope)) {
      throw new OptionError(
        `invalid scope "${scope}": use lowercase letters, digits and _ . : - (starting with a letter)`,
      );
    }
    if (scope === 'offline_access') {
      throw new OptionError('"offline_access" is added by the server itself; leave it out of --scopes');
    }
  }
  if (new Set(scopes).size !== scopes.length) {
    throw new OptionError(`--scopes lists a scope twice: ${scopes.join(',')}`);
  }
  return scopes;
}

export function validateProjectName(name: string): string | undefined {
  if (name.length === 0) return 'the project name is empty';
  if (name.length > 214) return 'the project name is longer than 214 characters';
  if (!PROJECT_NAME_PATTERN.test(name)) {
    return `"${name}" is not a valid package name: use lowercase letters, digits, "-", "." and "_"`;
  }
  return undefined;
}

export function validateAnswers(answers: Answers, combinations: Combinations = SUPPORTED_COMBINATIONS): Answers {
  const nameProblem = validateProjectName(answers.projectName);
  if (nameProblem) throw new OptionError(nameProblem);
  if (!FRAMEWORKS.some((f) => f.value === answers.framework)) {
    throw new OptionError(`unknown framework "${answers.framework}"`);
  }
  if (!STORAGES.some((s) => s.value === answers.storage)) throw new OptionError(`unknown storage "${answers.storage}"`);
  if (!isSupported(answers.framework, answers.storage, combinations)) {
    const offered = combinations.map((c) => `${c.framework}+${c.storage}`).join(', ');
    throw new OptionError(
      `${answers.framework} with ${answers.storage} storage is not available yet (available: ${offered})`,
    );
  }
  parseScopes(answers.scopes);
  return answers;
}

/** Frameworks that have templates together with `storage` (with any storage when it is still open). */
export function frameworksAvailableWith(
  storage: Storage | undefined,
  combinations: Combinations = SUPPORTED_COMBINATIONS,
): Framework[] {
  return FRAMEWORKS.map((f) => f.value).filter((framework) =>
    combinations.some((c) => c.framework === framework && (storage === undefined || c.storage === storage)),
  );
}

/** Storages that have templates together with `framework` (with any framework when it is still open). */
export function storagesAvailableWith(
  framework: Framework | undefined,
  combinations: Combinations = SUPPORTED_COMBINATIONS,
): Storage[] {
  return STORAGES.map((s) => s.value).filter((storage) =>
    combinations.some((c) => c.storage === storage && (framework === undefined || c.framework === framework)),
  );
}

/** The default framework when it works with `storage`, else the first one that does. */
export function defaultFrameworkFor(
  storage: Storage | undefined,
  combinations: Combinations = SUPPORTED_COMBINATIONS,
): Framework | undefined {
  const available = frameworksAvailableWith(storage, combinations);
  return available.includes(DEFAULT_ANSWERS.framework) ? DEFAULT_ANSWERS.framework : available[0];
}

/** The default storage when it works with `framework`, else the first one that does. */
export function defaultStorageFor(
  framework: Framework | undefined,
  combinations: Combinations = SUPPORTED_COMBINATIONS,
): Storage | undefined {
  const available = storagesAvailableWith(framework, combinations);
  return available.includes(DEFAULT_ANSWERS.storage) ? DEFAULT_ANSWERS.storage : available[0];
}

export function labelOf(table: ReadonlyArray<{ value: string; label: string }>, value: string): string {
  return table.find((entry) => entry.value === value)?.label ?? value;
}
