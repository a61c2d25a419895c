/**
 * The `regenerate [dir]` command: its flags, help and error reporting. The work itself (rendering, merging,
 * execa) loads only when the command runs, so `--help` stays instant.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { reportFailure } from '../errors.js';
import { PACKAGE_MANAGERS } from '../options.js';
import { MANIFEST_FILE } from '../render/manifest.js';
import { BASE_FILE } from './base-render.js';
import type { RegenerateFlags } from './run.js';

function regenerateOptions(y: Argv) {
  return y
    .positional('dir', {
      type: 'string',
      describe: `The generated project (the directory holding ${MANIFEST_FILE})`,
      defaultDescription: 'the current directory',
    })
    .option('set', {
      type: 'string',
      describe:
        'Change a recorded answer: framework=, storage=, scopes= (comma list) or login=; repeat for several. New files are created, files the new answers no longer need are removed when unedited',
      group: 'Answers:',
    })
    .option('check', {
      type: 'boolean',
      describe:
        'Write nothing; exit 1 when an update is available (a file would change or a quirk would be gained), 0 when up to date',
      group: 'Behaviour:',
    })
    .option('dry-run', {
      type: 'boolean',
      describe: 'Print the plan (what each file would get) and write nothing',
      group: 'Behaviour:',
    })
    .option('json', {
      type: 'boolean',
      describe: 'Print the plan or report as JSON on stdout (no spinners; messages go to stderr)',
      group: 'Behaviour:',
    })
    .option('allow-dirty', {
      type: 'boolean',
      describe: 'Run even with uncommitted changes, or outside a git repository',
      group: 'Behaviour:',
    })
    .option('install', {
      type: 'boolean',
      describe: 'Reinstall when dependencies changed (or node_modules is missing); --no-install skips it',
      defaultDescription: 'true',
      group: 'Setup:',
    })
    .option('verify', {
      type: 'boolean',
      describe: "Run the project's type check and test suite after writing (skipped while conflicts remain)",
      defaultDescription: 'true',
      group: 'Setup:',
    })
    .option('package-manager', {
      type: 'string',
      choices: [...PACKAGE_MANAGERS],
      describe: 'Package manager for install and verify',
      defaultDescription: "the project's lockfile, else npm",
      group: 'Setup:',
    })
    .conflicts('check', 'dry-run')
    .example('$0 regenerate', 'merge in the newest templates and quirk patches')
    .example('$0 regenerate --dry-run', 'show the plan, write nothing')
    .example('$0 regenerate --check', 'in CI: exit 1 when an update is available')
    .example('$0 regenerate --set storage=postgres', 'switch the store to PostgreSQL')
    .example('$0 regenerate --set scopes=notes:read,notes:write', 'change the scopes')
    .example('$0 regenerate my-server --json', 'a JSON report for scripts')
    .epilogue(
      [
        `Needs a clean git work tree: commit first, or pass --allow-dirty. Reads ${MANIFEST_FILE} and ${BASE_FILE} (what the generator rendered last time); keep both committed and do not edit them.`,
        'Managed files you did not edit are replaced; edited ones are merged three ways, and conflicts get markers (<<<<<<< yours, ||||||| generator <old>, >>>>>>> generator <new>). Sample files (src/tools, src/users) are never touched. package.json is merged key by key in dependencies, devDependencies and scripts; the rest of it is yours.',
        'Exit codes: 0 done, or up to date; 1 error (refusals happen before anything is written), or --check found an update; 2 written, but conflicts remain to resolve.',
      ].join('\n\n'),
    );
}



type RegenerateArgs = Omit<RegenerateFlags, 'set'> & { set?: string | string[] };

async function handleRegenerate(argv: ArgumentsCamelCase<RegenerateArgs>): Promise<void> {
  const json = argv.json ?? false;
  try {
    const { runRegenerate } = await import('./run.js');
    const set = argv.set === undefined ? [] : [argv.set].flat();
    process.exitCode = await runRegenerate(
      {
        dir: argv.dir,
        set,
        allowDirty: argv.allowDirty,
        dryRun: argv.dryRun,
        check: argv.check,
        json,
        install: argv.install,
        verify: argv.verify,
        packageManager: argv.packageManager,
      },
      {
        cwd: process.cwd(),
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
        stdoutIsTTY: process.stdout.isTTY === true,
      },
    );
  } catch (error) {
    process.exitCode = reportFailure(error, json);
  }
}

export const regenerateCommand: CommandModule<object, RegenerateArgs> = {
  command: 'regenerate [dir]',
  describe: "Update a generated project to this generator's templates and quirk patches, keeping your edits",
  builder: regenerateOptions as unknown as CommandModule<object, RegenerateArgs>['builder'],
  handler: handleRegenerate,
};
