import { CliError } from '../errors.js';
import { runCommand } from '../steps/run-command.js';

const ALLOW_DIRTY_HINT =
  'commit or stash first, so that what regenerate changes can be reviewed and undone with git, or pass --allow-dirty';

async function git(dir: string, args: string[]) {
  return runCommand({ file: 'git', args }, dir);
}

export async function requireGit(dir: string): Promise<void> {
  if (!(await git(dir, ['--version'])).ok) {
    throw new CliError('git is not installed: regenerate needs it for its three-way merges (`git merge-file`)');
  }
}

/**
 * The files under `dir` that git would call changed: tracked modifications, staged changes and untracked
 * files that are not ignored (.env and node_modules are). Undefined when `dir` is not in a work tree.
 */
export async function uncommittedChanges(dir: string): Promise<string[] | undefined> {
  const inside = await git(dir, ['rev-parse', '--is-inside-work-tree']);
  if (!inside.ok || inside.output.trim() !== 'true') return undefined;
  const status = await git(dir, ['status', '--porcelain', '--untracked-files=normal', '--', '.']);
  if (!status.ok) throw new CliError(`git status failed in ${dir}: ${status.output.trim()}`);
  return status.output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3));
}

/** Refuses to write into a directory git cannot show the changes of, unless the user allows it. */
export async function checkWorkTree(dir: string, displayDir: string, allowDirty: boolean): Promise<void> {
  if (allowDirty) return;
  const changes = await uncommittedChanges(dir);
  const where = displayDir === '.' ? 'the current directory' : displayDir;
  if (changes === undefined) {
    throw new CliError(
      `${where} is not in a git repository: git init and commit the project first, or pass --allow-dirty`,
    );
  }
  if (changes.length > 0) {
    const shown = changes.slice(0, 3).join(', ') + (changes.length > 3 ? `, and ${changes.length - 3} more` : '');
    throw new CliError(`${where} has uncommitted changes (${shown}): ${ALLOW_DIRTY_HINT}`);
  }
}
