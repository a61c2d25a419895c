import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Ends a run that neither exits nor prints what the test waits for, so a hang fails instead of stalling. */
const GIVE_UP_MS = 45_000;

/** For tests that run the entry: tsx compiles src/ on every start, which takes seconds on a busy machine. */
export const ENTRY_TEST_TIMEOUT_MS = 60_000;

export interface EntryRun {
  /** The exit code (null when a signal ended the process). */
  code: number | null;
  /** True when `until` matched and the server was stopped with SIGTERM. */
  stopped: boolean;
  stdout: string;
  stderr: string;
}

/** Non-empty lines of a stream, as a person reading the terminal would count them. */
export function lines(output: string): string[] {
  return output.split('\n').filter((line) => line.trim() !== '');
}

/**
 * Runs the real entry, src/server.ts (through tsx, as `npm run dev` does), with `env` and nothing else
 * from this process: no NODE_ENV=test, no .env file. Resolves when the process exits on its own, or once
 * stdout matches `until`, after stopping it with SIGTERM and waiting for it to end.
 */
export function runServerEntry(
  env: Record<string, string>,
  options: { until?: RegExp } = {},
): Promise<EntryRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        DOTENV_CONFIG_PATH: '/nonexistent/.env',
        DOTENV_CONFIG_QUIET: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let stopping = false;
    const giveUp = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`src/server.ts neither exited nor printed ${options.until}:\n${stdout}${stderr}`),
      );
    }, GIVE_UP_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!stopping && options.until?.test(stdout)) {
        stopping = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(giveUp);
      resolve({ code, stopped: stopping, stdout, stderr });
    });
  });
}
