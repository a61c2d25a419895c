/** Turns results into what people and CI read: the catalogue's fix text per id, a table, JSON, an exit code. */
import { styleText } from 'node:util';
import { QUIRKS } from '../quirks.js';
import { GENERATOR_VERSION } from '../version.js';
import type { CheckResult, CheckStatus } from './result.js';
import { CHECK_RULES } from './rules.js';

export const EXIT_PASSED = 0;
export const EXIT_FAILED = 1;
export const EXIT_UNREACHABLE = 2;

export interface Fix {
  kind: 'quirk' | 'rule';
  rule: string;
  source: string;
  /** Where the full text lives. */
  see: string;
}

export function fixFor(id: string): Fix | undefined {
  const quirk = QUIRKS.find((candidate) => candidate.id === id);
  if (quirk) {
    return { kind: 'quirk', rule: quirk.rule, source: quirk.source, see: `npx create-mcp-oauth-server quirks (id ${id})` };
  }
  const rule = CHECK_RULES.find((candidate) => candidate.id === id);
  return rule ? { kind: 'rule', rule: rule.rule, source: rule.source, see: rule.source } : undefined;
}

export interface CheckReport {
  ok: boolean;
  target: string;
  generatorVersion: string;
  reachable: boolean;
  /** When the run stopped early: why. */
  stopped?: string;
  requests: number;
  summary: Record<CheckStatus, number>;
  results: (CheckResult & { fix?: Fix })[];
}

export function buildReport(options: {
  target: string;
  results: CheckResult[];
  requests: number;
  reachable: boolean;
  stopped?: string;
}): CheckReport {
  const summary: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, 'not-checkable': 0 };
  for (const result of options.results) summary[result.status] += 1;
  return {
    ok: options.reachable && summary.fail === 0,
    target: options.target,
    generatorVersion: GENERATOR_VERSION,
    reachable: options.reachable,
    ...(options.stopped ? { stopped: options.stopped } : {}),
    requests: options.requests,
    summary,
    results: options.results.map((result) => {
      const fix = result.status === 'pass' ? undefined : fixFor(result.id);
      return fix ? { ...result, fix } : result;
    }),
  };
}

export function exitCodeOf(report: CheckReport): number {
  if (!report.reachable) return EXIT_UNREACHABLE;
  return report.summary.fail > 0 ? EXIT_FAILED : EXIT_PASSED;
}

const SYMBOL: Record<CheckStatus, string> = { pass: '✔', fail: '✖', warn: '!', 'not-checkable': '–' };
const COLOUR: Record<CheckStatus, 'green' | 'red' | 'yellow' | 'gray'> = {
  pass: 'green',
  fail: 'red',
  warn: 'yellow',
  'not-checkable': 'gray',
};

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** One line per result, grouped by stage; failures and warnings carry what was sent, what came back and the fix. */
export function formatReport(report: CheckReport, stream: NodeJS.WritableStream, options: { verbose?: boolean } = {}): string {
  const paint = (status: CheckStatus, text: string) => styleText(COLOUR[status], text, { stream });
  const dim = (text: string) => styleText('dim', text, { stream });
  const idWidth = Math.max(...report.results.map((result) => result.id.length), 2);
  const profileWidth = Math.max(...report.results.map((result) => (result.profile ?? '').length), 0);
  const lines: string[] = [];
  let stage = '';
  for (const result of report.results) {
    if (result.stage !== stage) {
      stage = result.stage;
      lines.push('', styleText('bold', stage, { stream }));
    }
    const row = `  ${paint(result.status, SYMBOL[result.status])} ${pad(result.id, idWidth)}  ${pad(result.profile ?? '', profileWidth)}  ${result.title}`;
    lines.push(row);
    if (result.status === 'pass' && !options.verbose) continue;
    if (result.detail) lines.push(`      ${paint(result.status, result.detail)}`);
    if (result.status === 'pass' || result.status === 'not-checkable') continue;
    if (result.sent) lines.push(dim(`      sent: ${result.sent}`));
    if (result.received) lines.push(dim(`      got:  ${result.received}`));
    if (result.fix) lines.push(`      fix:  ${result.fix.rule} ${dim(`(${result.fix.source})`)}`);
  }
  const { summary } = report;
  lines.push(
    '',
    `${summary.pass} passed, ${summary.fail} failed, ${summary.warn} warnings, ${summary['not-checkable']} not checkable — ${report.requests} requests to ${new URL(report.target).origin}`,
  );
  if (report.stopped) lines.push(paint('fail', `stopped: ${report.stopped}`));
  return `${lines.join('\n')}\n`;
}
