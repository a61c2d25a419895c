import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ACCOUNT, startCheckServer, type CheckServer } from '../fixtures/check-server/server.js';
import { BREAKS } from '../fixtures/check-server/breaks.js';

/** `check <url>` as users run it: the built CLI as a process, no TTY. */

let server: CheckServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('create-mcp-oauth-server check', () => {
  it('is listed in --help and has its own help', async () => {
    const help = await runCli(['--help'], { cwd: process.cwd() });
    expect(help.stdout).toMatch(/check <url>\s+Check a deployed MCP server/);
    const own = await runCli(['check', '--help'], { cwd: process.cwd() });
    expect(own.exitCode).toBe(0);
    expect(own.stdout).toMatch(/--login-as/);
    expect(own.stdout).toMatch(/Exit codes: 0 nothing failed/);
  });

  it('--json: exit 0 and a report when nothing fails', async () => {
    server = await startCheckServer();
    const run = await runCli(['check', server.url, '--json', '--as', 'cursor,claude-code'], { cwd: process.cwd() });
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, reachable: true, target: server.url });
    expect(report.summary.fail).toBe(0);
  });

  it('--login-as: signs in with the password from CHECK_PASSWORD', async () => {
    server = await startCheckServer();
    const run = await runCli(['check', server.url, '--login-as', ACCOUNT.email, '--as', 'claude-code'], {
      cwd: process.cwd(),
      env: { CHECK_PASSWORD: ACCOUNT.password },
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/✔ refresh-rotation/);
    expect(run.stdout).toMatch(/\d+ passed, 0 failed/);
  });

  it('exit 1 with the failing id, what was sent and the fix', async () => {
    server = await startCheckServer(['consent-303']);
    const run = await runCli(['check', server.url, '--login-as', ACCOUNT.email, '--as', 'claude-code'], {
      cwd: process.cwd(),
      env: { CHECK_PASSWORD: ACCOUNT.password },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/✖ consent-302 .*the consent POST redirects to the client with 302 Found/);
    expect(run.stdout).toMatch(/sent: POST \/oauth\/consent/);
    expect(run.stdout).toMatch(/fix: {2}The consent POST redirects to the client with 302 Found, never 303\./);
    expect(BREAKS.find((b) => b.id === 'consent-303')?.fails).toBe('consent-302');
  });

  it('exit 2 when the server cannot be reached', async () => {
    const run = await runCli(['check', 'http://127.0.0.1:9/mcp', '--json', '--timeout', '2'], { cwd: process.cwd() });
    expect(run.exitCode).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, reachable: false });
  });

  it('refuses an unknown profile and --login-as without a password in one line', async () => {
    const profile = await runCli(['check', 'http://127.0.0.1:9/mcp', '--as', 'netscape'], { cwd: process.cwd() });
    expect(profile.exitCode).toBe(1);
    expect(profile.stderr).toMatch(/error: unknown client profile netscape \(choose from claude, chatgpt/);
    const login = await runCli(['check', 'http://127.0.0.1:9/mcp', '--login-as', 'a@b.c'], { cwd: process.cwd() });
    expect(login.exitCode).toBe(1);
    expect(login.stderr).toMatch(/CHECK_PASSWORD/);
  });
});
