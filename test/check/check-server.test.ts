import { afterEach, describe, expect, it } from 'vitest';
import { formLoginAgent } from '../../src/check/login-agent.js';
import { runCheck, type CheckOptions } from '../../src/check/run.js';
import { fixFor, type CheckReport } from '../../src/check/report.js';
import { BREAKS, type BreakId } from '../fixtures/check-server/breaks.js';
import { ACCOUNT, startCheckServer, type CheckServer } from '../fixtures/check-server/server.js';

/**
 * The checker against a reference server written from the behaviour contract: whole, every check passes;
 * broken one quirk at a time, exactly the matching id fails and nothing else does.
 */

let server: CheckServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function check(breaks: BreakId[], login: boolean, extra: Partial<CheckOptions> = {}): Promise<CheckReport> {
  server = await startCheckServer(breaks);
  return runCheck({
    url: server.url,
    timeoutMs: 5_000,
    ...(login ? { login: { agent: formLoginAgent(ACCOUNT), timeoutMs: 5_000 } } : {}),
    ...extra,
  });
}

const failedIds = (report: CheckReport) => [...new Set(report.results.filter((r) => r.status === 'fail').map((r) => r.id))];
const failures = (report: CheckReport) =>
  report.results.filter((r) => r.status === 'fail').map((r) => `${r.id} ${r.profile ?? ''}: ${r.title} — ${r.detail}`);

describe('check against the reference server', () => {
  it('passes every check without a login', async () => {
    const report = await check([], false);
    expect(failures(report)).toEqual([]);
    expect(report.summary.warn).toBe(0);
    expect(report.ok).toBe(true);
  });

  it('passes every check with --login (form agent)', async () => {
    const report = await check([], true);
    expect(failures(report)).toEqual([]);
    const ids = new Set(report.results.filter((r) => r.status === 'pass').map((r) => r.id));
    for (const id of ['consent-302', 'token-type-lowercase', 'refresh-rotation', 'revoke-superseded', 'bearer-case', 'code-single-use', 'revocation', 'www-authenticate']) {
      expect(ids, id).toContain(id);
    }
    const stepUp = report.results.find((r) => r.title.startsWith('step-up'));
    expect(stepUp?.status).toBe('pass');
    for (const result of report.results) expect(fixFor(result.id), `${result.id} is a quirk or rule id`).toBeDefined();
  });

  it('--as limits the profiles', async () => {
    const report = await check([], false, { as: ['cursor'] });
    const profiles = new Set(report.results.map((r) => r.profile).filter(Boolean));
    expect([...profiles]).toEqual(['cursor']);
  });

  for (const broken of BREAKS) {
    it(`quirk ${broken.fails}: ${broken.what} (break ${broken.id}) fails only ${broken.fails}`, async () => {
      const report = await check([broken.id], 'needsLogin' in broken && broken.needsLogin === true);
      expect(failedIds(report), failures(report).join('\n')).toEqual([broken.fails]);
      expect(report.ok).toBe(false);
      const failed = report.results.find((r) => r.status === 'fail')!;
      expect(failed.fix?.rule, 'the fix text comes from the catalogue').toBeTruthy();
    });
  }

  it('redacts secrets in the evidence', async () => {
    const report = await check([], true);
    const text = JSON.stringify(report);
    expect(text).not.toMatch(/"client_secret":"(?!\[redacted\])/);
    expect(text).not.toMatch(/refresh_token=(?!\[redacted\])[A-Za-z0-9_-]{10}/);
    expect(text).not.toMatch(/Bearer (?!\[redacted\])[A-Za-z0-9_-]{20}/);
  });
});
