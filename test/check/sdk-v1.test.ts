import { afterEach, describe, expect, it } from 'vitest';
import { formLoginAgent } from '../../src/check/login-agent.js';
import { formatReport } from '../../src/check/report.js';
import { runCheck } from '../../src/check/run.js';
import { startSdkDemoServer, type SdkDemoServer } from '../fixtures/sdk-v1-demo/server.js';

/**
 * A server we did not write: the MCP TypeScript SDK v1 mcpAuthRouter demo. Its failures, by id, are kept in
 * sdk-v1-failures.txt beside this file; a change there is a change in what the checker finds (or in the SDK).
 */

let server: SdkDemoServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('check against the MCP TypeScript SDK v1 demo', () => {
  it('finds the failures listed in sdk-v1-failures.txt', async () => {
    server = await startSdkDemoServer();
    const report = await runCheck({
      url: server.url,
      timeoutMs: 5_000,
      // The demo provider approves without a login page: the agent only delivers the callback.
      login: { agent: formLoginAgent({ email: 'unused@example.com', password: 'unused' }), timeoutMs: 10_000 },
    });
    expect(report.reachable).toBe(true);
    const lines = report.results
      .filter((result) => result.status === 'fail')
      .map((result) => `${result.id}${result.profile ? ` [${result.profile}]` : ''}: ${result.title} — ${result.detail}`);
    const port = new URL(server.url).port;
    await expect(`${lines.join('\n').replaceAll(port, 'PORT')}\n`).toMatchFileSnapshot('./sdk-v1-failures.txt');
    console.log(formatReport(report, process.stdout));
  });
});
