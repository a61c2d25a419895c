import { performance } from 'node:perf_hooks';
import type { Ui } from '../ui.js';
import { formatDuration, outputTail, runCommand } from './run-command.js';

export interface GitOutcome {
  ok: boolean;
  durationMs: number;
  /** Why no repository was created although --git was on (not a failure). */
  skipped?: string;
  error?: string;
}

/** Used only when the user has no git identity configured, so the first commit cannot fail on it. */
const FALLBACK_AUTHOR = [
  '-c',
  'user.name=create-mcp-oauth-server',
  '-c',
  'user.email=create-mcp-oauth-server@users.noreply.github.com',
];
const COMMIT_MESSAGE = 'Initial commit from create-mcp-oauth-server';

async function git(dir: string, args: string[]) {
  return runCommand({ file: 'git', args }, dir);
}

/**
 * `git init`, add everything, first commit. Skipped (with a reason) when git is missing or the directory
 * is already inside a work tree, e.g. a monorepo. A failure here is reported but does not fail the create.
 */
export async function initGitRepository(dir: string, ui: Ui): Promise<GitOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  if (!(await git(dir, ['--version'])).ok) {
    const skipped = 'git is not installed';
    ui.warn(`Skipped git init: ${skipped}`);
    return { ok: true, durationMs: elapsed(), skipped };
  }
  const insideWorkTree = await git(dir, ['rev-parse', '--is-inside-work-tree']);
  if (insideWorkTree.ok && insideWorkTree.output.trim() === 'true') {
    const skipped = 'the directory is already inside a git repository';
    ui.info(`Skipped git init: ${skipped}`);
    return { ok: true, durationMs: elapsed(), skipped };
  }

  const task = ui.startTask('Creating a git repository');
  const hasIdentity = (await git(dir, ['config', 'user.email'])).output.trim() !== '';
  const hasDefaultBranch = (await git(dir, ['config', 'init.defaultBranch'])).output.trim() !== '';
  const steps = [
    { name: 'git init', args: [...(hasDefaultBranch ? [] : ['-c', 'init.defaultBranch=main']), 'init', '--quiet'] },
    { name: 'git add', args: ['add', '--all'] },
    {
      name: 'git commit',
      args: [...(hasIdentity ? [] : FALLBACK_AUTHOR), 'commit', '--quiet', '--no-verify', '-m', COMMIT_MESSAGE],
    },
  ];
  for (const { name, args } of steps) {
    const run = await git(dir, args);
    if (!run.ok) {
      const error = `${name} failed: ${outputTail(run.output, 5)}`;
      task.fail(error);
      return { ok: false, durationMs: elapsed(), error };
    }
  }
  task.succeed(`Created a git repository with a first commit in ${formatDuration(elapsed())}`);
  return { ok: true, durationMs: elapsed() };
}
