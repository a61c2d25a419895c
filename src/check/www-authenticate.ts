/** Reads a `WWW-Authenticate: Bearer a="b", c="d"` challenge (RFC 6750 §3). */
export interface BearerChallenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string | null): BearerChallenge | undefined {
  if (!header) return undefined;
  const scheme = /^\s*([A-Za-z][\w-]*)/.exec(header);
  if (!scheme) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(scheme[0].length).matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[match[1]!.toLowerCase()] = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: scheme[1]!, params };
}
