/** Runs `check <url>` for the CLI: flags to options, spinners on a terminal, the report, the exit code. */
import { CliError } from '../errors.js';
import { createClackUi, createPlainUi, type Ui } from '../ui.js';
import type { CheckFlags } from './flags.js';
import { formLoginAgent, systemBrowserAgent, type LoginAgent } from './login-agent.js';
import { exitCodeOf, formatReport } from './report.js';
import { runCheck, type StageProgress } from './run.js';

function loginAgent(flags: CheckFlags, env: NodeJS.ProcessEnv): LoginAgent {
  if (flags.loginAs) {
    const password = env.CHECK_PASSWORD;
    if (!password) throw new CliError('--login-as needs the password in the CHECK_PASSWORD environment variable');
    return formLoginAgent({ email: flags.loginAs, password });
  }
  return systemBrowserAgent(flags.open !== false);
}

function progressOn(ui: Ui): StageProgress {
  return {
    start(label) {
      const task = ui.startTask(`checking ${label}`);
      return { done: (summary) => task.succeed(summary), failed: (message) => task.fail(message) };
    },
    log: (line) => ui.info(line),
  };
}

/** Returns the exit code: 0 passed, 1 failures, 2 unreachable. */
export async function runCheckCommand(flags: CheckFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const json = flags.json === true;
  const interactive = !json && process.stdout.isTTY === true;
  const ui = interactive ? createClackUi() : createPlainUi(json ? process.stderr : process.stdout, process.stderr);
  const as = (Array.isArray(flags.as) ? flags.as.join(',') : flags.as ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const login = flags.login || flags.loginAs ? { agent: loginAgent(flags, env), timeoutMs: (flags.loginTimeout ?? 300) * 1000 } : undefined;
  if (interactive) ui.intro(`create-mcp-oauth-server check ${flags.url}`);
  const report = await runCheck(
    {
      url: flags.url,
      as,
      ...(flags.timeout ? { timeoutMs: flags.timeout * 1000 } : {}),
      ...(login ? { login } : {}),
    },
    progressOn(ui),
  );
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(formatReport(report, process.stdout, { verbose: flags.verbose === true }));
  if (interactive) ui.outro(report.ok ? 'Nothing failed.' : report.reachable ? 'Some checks failed: see fix above.' : 'The server could not be reached.');
  return exitCodeOf(report);
}
