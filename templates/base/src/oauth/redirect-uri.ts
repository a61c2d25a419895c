/**
 * Redirect URI rules shared by registration, GET /authorize and the consent POST (quirks
 * private-use-schemes, loopback-any-port, loopback-matcher-everywhere; RFC 8252 §7.1 and §7.3).
 */

const FORBIDDEN_SCHEMES = new Set([
  'javascript:',
  'data:',
  'file:',
  'vbscript:',
  'blob:',
  'about:',
  'ws:',
  'wss:',
]);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function isLoopbackUrl(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** Why the URI cannot be registered, or undefined when it can. */
export function redirectUriProblem(uri: string): string | undefined {
  // Raw control characters, spaces and backslashes never belong in a redirect URI; percent-encoded CR/LF neither.
  if (/[\u0000-\u0020\u007f\\]/.test(uri) || /%0[ad]/i.test(uri))
    return 'contains control characters or spaces';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not an absolute URI';
  }
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return `uses the forbidden scheme ${url.protocol}`;
  if (uri.includes('#')) return 'has a fragment';
  if (url.username || url.password) return 'has user information';
  if (url.protocol === 'https:') return url.hostname ? undefined : 'has no host';
  if (url.protocol === 'http:')
    return isLoopbackUrl(url) ? undefined : 'uses http on a non-loopback host; use https';
  // Private-use schemes (cursor://, vscode://) must look like a reverse domain or app name: letters, digits, + - .
  return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? undefined : 'has an invalid scheme';
}

/**
 * Whether a requested redirect URI matches a registered one: exactly, except that loopback
 * redirects match on any port (native apps pick a free port at run time), also when the registered
 * one has no port at all (`http://localhost/callback`, as Claude Code's metadata document lists it).
 */
export function redirectUriMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  let a: URL;
  let b: URL;
  try {
    a = new URL(registered);
    b = new URL(requested);
  } catch {
    return false;
  }
  if (!isLoopbackUrl(a) || !isLoopbackUrl(b) || requested.includes('#')) return false;
  return a.hostname === b.hostname && a.pathname === b.pathname && a.search === b.search;
}

export function findMatchingRedirectUri(registered: readonly string[], requested: string): boolean {
  return registered.some((uri) => redirectUriMatches(uri, requested));
}

/**
 * What the pages show as "You will be sent to ...": the host of an http(s) redirect, and a private-use
 * redirect in full, since its "host" is whatever the app chose (`vscode://github.com/callback` is not
 * github.com).
 */
export function redirectTarget(uri: string): string {
  const url = new URL(uri);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : uri;
}

/** The origin a CSP form-action must allow for this redirect (quirk consent-form-action). */
export function formActionSourceFor(uri: string): string {
  const url = new URL(uri);
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  return url.protocol; // a private-use scheme source such as cursor:
}
