/** Secrets never reach the output: tokens, codes, client secrets, passwords and cookies become [redacted]. */

const SECRET_FIELDS = [
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'code',
  'code_verifier',
  'token',
  'registration_access_token',
  'password',
];

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'dpop']);

const JSON_FIELD = new RegExp(`("(?:${SECRET_FIELDS.join('|')})"\\s*:\\s*)"[^"]*"`, 'g');
const FORM_FIELD = new RegExp(`(^|[?&\\s])(${SECRET_FIELDS.join('|')})=[^&\\s]*`, 'g');

export function redactText(text: string): string {
  return text.replace(JSON_FIELD, '$1"[redacted]"').replace(FORM_FIELD, '$1$2=[redacted]');
}

export function redactHeader(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return value;
  const scheme = /^(\w+)\s/.exec(value);
  return scheme ? `${scheme[1]} [redacted]` : '[redacted]';
}

/** Keeps evidence readable in a table: one line, at most `max` characters. */
export function shorten(text: string, max = 240): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
