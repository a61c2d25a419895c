/**
 * The command table: every command and flag, their help, and how errors reach the user.
 * Heavy modules (rendering, prettier, execa) load only when the create command runs, so
 * --help, --version, quirks and flag errors answer instantly.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { cancel as clackCancel } from '@clack/prompts';
import { CancelledError, EXIT_FAILURE, printError, reportFailure } from './errors.js';
import {
  DEFAULT_ANSWERS,
  FRAMEWORKS,
  LOGINS,
  PACKAGE_MANAGERS,
  STORAGES,
  SUPPORTED_COMBINATIONS,
} from './options.js';
import { formatQuirks, quirksAsJson, quirksAsMarkdown } from './quirks-report.js';
import { regenerateCommand } from './regenerate/command.js';
import { checkOptions, type CheckFlags } from './check/flags.js';
import type { CreateFlags } from './resolve-plan.js';
import { GENERATOR_VERSION } from './version.js';

const NAME = 'create-mcp-oauth-server';

const availableCombinations = SUPPORTED_COMBINATIONS.map((c) => `${c.framework}+${c.storage}`).join(', ');

function createOptions(y: Argv) {
  return y
    .positional('dir', {
      type: 'string',
      describe: 'Directory to create; its name becomes the package name',
      defaultDescription: 'asked, or "mcp-oauth-server" with --yes',
    })
    .option('framework', {
      type: 'string',
      choices: FRAMEWORKS.map((f) => f.value),
      describe: 'Web framework the thin HTTP adapter is written for',
      defaultDescription: DEFAULT_ANSWERS.framework,
      group: 'Project:',
    })
    .option('storage', {
      type: 'string',
      choices: STORAGES.map((s) => s.value),
      describe:
        'Store for clients, tokens, sessions and accounts: sqlite is an embedded file; postgres and redis serve several instances; memory is for tests and demos',
      defaultDescription: DEFAULT_ANSWERS.storage,
      group: 'Project:',
    })
    .option('scopes', {
      type: 'string',
      describe:
        'Comma-separated OAuth scopes (lowercase letters, digits, _ . : -); the first is the baseline every token gets, the second guards write tools',
      defaultDescription: DEFAULT_ANSWERS.scopes.join(','),
      group: 'Project:',
    })
    .option('login', {
      type: 'string',
      choices: LOGINS.map((l) => l.value),
      describe: 'How users sign in: local = built-in accounts (email + argon2id-hashed password)',
      defaultDescription: DEFAULT_ANSWERS.login,
      group: 'Project:',
    })
    .option('package-manager', {
      type: 'string',
      choices: [...PACKAGE_MANAGERS],
      describe: 'Package manager for install, verify and the next steps',
      defaultDescription: 'detected, else npm',
      group: 'Setup:',
    })
    .option('install', {
      type: 'boolean',
      describe: 'Install dependencies; --no-install skips it (and implies --no-verify)',
      defaultDescription: 'true',
      group: 'Setup:',
    })
    .option('verify', {
      type: 'boolean',
      describe: "Run the generated project's type check and test suite after install",
      defaultDescription: 'true',
      group: 'Setup:',
    })
    .option('git', {
      type: 'boolean',
      describe: 'git init and a first commit (skipped inside an existing repository)',
      defaultDescription: 'true',
      group: 'Setup:',
    })
    .option('yes', {
      alias: 'y',
      type: 'boolean',
      describe: 'Accept the defaults for everything the flags left open: no prompts',
      group: 'Behaviour:',
    })
    .option('overwrite', {
      type: 'boolean',
      describe: 'Allow a non-empty directory: its contents are replaced, node_modules and .git are kept',
      group: 'Behaviour:',
    })
    .option('dry-run', {
      type: 'boolean',
      describe: 'Print the file plan (path, ownership, size) and write nothing',
      group: 'Behaviour:',
    })
    .option('json', {
      type: 'boolean',
      describe: 'Print the result as JSON on stdout (no prompts, no spinners; messages go to stderr)',
      group: 'Behaviour:',
    })
    .example('$0 my-server', 'ask for what is open, then create ./my-server')
    .example('$0 my-server --yes', 'Express + SQLite, default scopes; install, verify, git')
    .example('$0 my-server --framework hono --scopes notes:read,notes:write --yes', 'pick the framework and scopes')
    .example('$0 my-server --yes --json', 'for scripts and agents: a JSON result on stdout')
    .example('$0 my-server --dry-run', 'list the files that would be written')
    .example('$0 quirks', 'the client quirks every generated server patches');
}

/** yargs reports parse problems in several lines; the user gets one. */
function oneLineParseError(message: string, rawArgs: readonly string[]): string {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown?.[1]) {
    const names = unknown[1].split(', ');
    const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    // yargs names a dashed flag twice, also in camelCase (dry-run, dryRun)
    return names
      .filter((name) => kebab(name) === name || !names.includes(kebab(name)))
      .map((name) =>
        rawArgs.includes(name)
          ? `unexpected argument "${name}" (give one directory)`
          : `unknown option ${name.length === 1 ? '-' : '--'}${name}`,
      )
      .join('; ');
  }
  const invalid = /Argument: (\S+), Given: (.+), Choices: (.+)/.exec(message);
  if (invalid) {
    const choices = invalid[3]!.replaceAll('"', '');
    if (invalid[2] === '""') return `--${invalid[1]} needs a value: ${choices}`;
    return `--${invalid[1]} must be one of ${choices} (got ${invalid[2]})`;
  }
  const exclusive = /^Arguments (\S+) and (\S+) are mutually exclusive$/.exec(message);
  if (exclusive) return `--${exclusive[1]} and --${exclusive[2]} cannot be used together`;
  return message.replace(/\s*\n\s*/g, ' ');
}



async function handleCreate(argv: CreateFlags & { scopes?: string | string[] }): Promise<void> {
  const json = argv.json ?? false;
  try {
    const { runCreate } = await import('./create.js');
    process.exitCode = await runCreate(
      {
        dir: argv.dir,
        framework: argv.framework,
        storage: argv.storage,
        scopes: Array.isArray(argv.scopes) ? argv.scopes.join(',') : argv.scopes,
        login: argv.login,
        packageManager: argv.packageManager,
        install: argv.install,
        verify: argv.verify,
        git: argv.git,
        yes: argv.yes,
        overwrite: argv.overwrite,
        dryRun: argv.dryRun,
        json,
      },
      {
        cwd: process.cwd(),
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
        stdinIsTTY: process.stdin.isTTY === true,
        stdoutIsTTY: process.stdout.isTTY === true,
      },
    );
  } catch (error) {
    if (error instanceof CancelledError && !json && process.stdout.isTTY) {
      // close the prompt frame the way clack does
      clackCancel(error.message);
      process.exitCode = error.exitCode;
    } else {
      process.exitCode = reportFailure(error, json);
    }
  }
}

export async function main(rawArgs: string[]): Promise<void> {
  await yargs(rawArgs)
    .scriptName(NAME)
    .usage(
      `${NAME} ${GENERATOR_VERSION}\n\nScaffold a remote MCP server with a complete OAuth 2.1 authorization server,\nevery known client quirk patched and covered by its own test suite.\n\nUsage: $0 [dir] [options]`,
    )
    .command('$0 [dir]', 'Create a project (the default command)', createOptions, handleCreate)
    .command(regenerateCommand)
    .command('check <url>', 'Check a deployed MCP server against what real clients send', checkOptions, async (argv) => {
      try {
        const { runCheckCommand } = await import('./check/command.js');
        process.exitCode = await runCheckCommand(argv as CheckFlags);
      } catch (error) {
        process.exitCode = reportFailure(error, argv.json === true);
      }
    })
    .command(
      'quirks',
      'Print the catalogue of client quirks every generated server patches',
      (y) =>
        y
          .option('json', { type: 'boolean', describe: 'Print the catalogue as JSON' })
          .option('markdown', { type: 'boolean', describe: 'Print the catalogue as a Markdown table' })
          .conflicts('json', 'markdown'),
      (argv) => {
        process.stdout.write(argv.json ? quirksAsJson() : argv.markdown ? quirksAsMarkdown() : formatQuirks());
      },
    )
    .strict()
    .version(GENERATOR_VERSION)
    .alias('version', 'v')
    .help()
    .alias('help', 'h')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue(
      `Available framework+storage combinations so far: ${availableCombinations}.\n\n` +
        'Exit codes: 0 done; 1 error (bad flags and refusals happen before anything is written; a failed\ninstall or test run keeps the files and names the command to rerun); 130 cancelled at a prompt.',
    )
    .fail((message, error) => {
      if (error) throw error;
      printError(`${oneLineParseError(message, rawArgs)} (see ${NAME} --help)`, rawArgs.includes('--json'));
      process.exit(EXIT_FAILURE);
    })
    .parseAsync();
}

await main(hideBin(process.argv));
