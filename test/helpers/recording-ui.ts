import type { Ui } from '../../src/ui.js';

/** A Ui that remembers what it was told, for assertions; nothing reaches the terminal. */
export function createRecordingUi(): Ui & { lines: string[]; text(): string } {
  const lines: string[] = [];
  const record = (kind: string) => (message: string) => void lines.push(`${kind}: ${message}`);
  return {
    lines,
    text: () => lines.join('\n'),
    intro: record('intro'),
    info: record('info'),
    success: record('success'),
    warn: record('warn'),
    error: record('error'),
    note: (body, title) => void lines.push(`note ${title ?? ''}: ${body}`),
    outro: record('outro'),
    startTask(label) {
      lines.push(`task: ${label}`);
      return { succeed: record('task ok'), warn: record('task partial'), fail: record('task failed') };
    },
  };
}
