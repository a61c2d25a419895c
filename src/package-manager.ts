import { PACKAGE_MANAGERS, type PackageManager } from './options.js';

/** A command as a program plus its arguments: what execa runs and what we tell the user to type. */
export interface Command {
  file: string;
  args: string[];
}

/** `npm create` / `pnpm create` / `yarn create` / `bunx` set this to e.g. "pnpm/9.1.0 npm/? node/v20.20.2 linux x64". */
export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split(' ')[0]?.split('/')[0];
  return PACKAGE_MANAGERS.find((pm) => pm === name) ?? 'npm';
}

/** What we tell the user to type. */
export function installCommand(pm: PackageManager): Command {
  return { file: pm, args: ['install'] };
}

/** What we run: for npm, the audit and funding reports cost a registry round trip and say nothing about a fresh scaffold. */
export function quietInstallCommand(pm: PackageManager): Command {
  const command = installCommand(pm);
  return pm === 'npm' ? { ...command, args: [...command.args, '--no-audit', '--no-fund'] } : command;
}

/** `bun test` is bun's own test runner, so bun always goes through `run`; npm and friends have the `test` shortcut. */
export function scriptCommand(pm: PackageManager, script: string, args: readonly string[] = []): Command {
  if (script === 'test' && pm !== 'bun' && args.length === 0) return { file: pm, args: ['test'] };
  if (pm === 'npm') return { file: 'npm', args: ['run', script, ...(args.length > 0 ? ['--', ...args] : [])] };
  return { file: pm, args: ['run', script, ...args] };
}

const SAFE_SHELL_WORD = /^[\w@%+=:,./-]+$/;

export function shellQuote(word: string): string {
  return SAFE_SHELL_WORD.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export function formatCommand(command: Command): string {
  return [command.file, ...command.args].map(shellQuote).join(' ');
}
