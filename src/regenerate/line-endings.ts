export type LineEnding = '\n' | '\r\n';

/** CRLF when most line breaks are CRLF (a Windows checkout with core.autocrlf), else LF. */
export function detectLineEnding(text: string): LineEnding {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

export function toLf(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

export function withLineEnding(lfText: string, ending: LineEnding): string {
  return ending === '\n' ? lfText : lfText.replace(/\n/g, '\r\n');
}
