export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;

/**
 * Reads the counts from vitest's summary line, e.g. "      Tests  2 failed | 61 passed | 1 skipped (64)".
 * `todo` counts as skipped (neither ran). Returns null when the output has no such line.
 */
export function parseVitestSummary(output: string): TestCounts | null {
  const lines = output.replace(ANSI_ESCAPE, '').split('\n').reverse();
  const summary = lines.find((line) => /^\s*Tests\s+\d+ (passed|failed|skipped|todo)/.test(line));
  if (!summary) return null;
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(summary)?.[1] ?? 0);
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') + count('todo') };
}

export function formatTestCounts(counts: TestCounts): string {
  const parts = [`${counts.passed} passed`];
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  return parts.join(', ');
}
