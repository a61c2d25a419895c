/** Parsers for the response headers the suite makes assertions about. */

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** One RFC 9110 challenge: `Bearer realm="x", error="invalid_token"` (quoted or token values). */
export function parseChallenge(header: string | null): Challenge {
  if (!header) throw new Error('no WWW-Authenticate header');
  const match = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*(.*)$/.exec(header);
  if (!match) throw new Error(`unparseable WWW-Authenticate: ${header}`);
  const params: Record<string, string> = {};
  for (const param of match[2]!.matchAll(
    /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g,
  )) {
    params[param[1]!.toLowerCase()] =
      param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3]!;
  }
  return { scheme: match[1]!, params };
}

/** CSP directives by name, each with its source list. */
export function parseCsp(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/** A comma-separated header (Vary, Access-Control-*) as lower-cased items. */
export function listHeader(header: string | null): string[] {
  return (header ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item.length > 0);
}

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; values as sent (flags map to ''). */
  attributes: Map<string, string>;
}

export function parseSetCookie(header: string): SetCookie {
  const [pair = '', ...rest] = header.split(';');
  const index = pair.indexOf('=');
  const attributes = new Map<string, string>();
  for (const attribute of rest) {
    const [key = '', ...value] = attribute.trim().split('=');
    if (key) attributes.set(key.toLowerCase(), value.join('='));
  }
  return { name: pair.slice(0, index).trim(), value: pair.slice(index + 1).trim(), attributes };
}

export function setCookies(response: Response): SetCookie[] {
  return response.headers.getSetCookie().map(parseSetCookie);
}
