import { OAuthError } from './errors.js';
import { header, type CoreRequest } from './http.js';

function mediaType(request: CoreRequest): string {
  return (header(request, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * C0 controls and DEL. No parameter or metadata field of this server is multi-line, so TAB, CR and LF
 * are refused too: in a name, URI, e-mail, token or password they are a typo at best and a header or
 * log injection at worst. PostgreSQL cannot store NUL at all.
 */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

export function hasControlCharacter(value: string): boolean {
  return CONTROL_CHARACTER.test(value);
}

/** A parameter name fit for an error message: one holding control characters is not echoed. */
function nameForMessage(name: string): string {
  return hasControlCharacter(name) || name.length > 64 ? 'a' : `the ${name}`;
}

/** Query and form parameters are refused as a whole when any name or value holds a control character. */
export function rejectControlCharacters(params: URLSearchParams): void {
  for (const [name, value] of params) {
    if (hasControlCharacter(name) || hasControlCharacter(value)) {
      throw new OAuthError(
        'invalid_request',
        `The request holds a control character in ${nameForMessage(name)} parameter`,
      );
    }
  }
}

/**
 * The first top-level field of a JSON object that holds a control character in its name or anywhere in
 * its value (nested arrays and objects included), or undefined.
 */
export function fieldWithControlCharacter(object: Record<string, unknown>): string | undefined {
  const dirty = (value: unknown): boolean => {
    if (typeof value === 'string') return hasControlCharacter(value);
    if (Array.isArray(value)) return value.some(dirty);
    if (typeof value === 'object' && value !== null) {
      return Object.entries(value).some(([key, item]) => hasControlCharacter(key) || dirty(item));
    }
    return false;
  };
  return Object.keys(object).find((key) => hasControlCharacter(key) || dirty(object[key]));
}

/** An application/x-www-form-urlencoded body (token, revoke, login and consent posts). */
export function readForm(request: CoreRequest): URLSearchParams {
  if (mediaType(request) !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'The body must be application/x-www-form-urlencoded');
  }
  if (/%(?![0-9a-f]{2})/i.test(request.body)) {
    throw new OAuthError('invalid_request', 'The form body is not valid percent-encoding');
  }
  const form = new URLSearchParams(request.body);
  rejectControlCharacters(form);
  return form;
}

/** A JSON object body (client registration). */
export function readJsonObject(request: CoreRequest): Record<string, unknown> {
  if (mediaType(request) !== 'application/json') {
    throw new OAuthError('invalid_request', 'The body must be application/json');
  }
  let value: unknown;
  try {
    value = JSON.parse(request.body);
  } catch {
    throw new OAuthError('invalid_request', 'The body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OAuthError('invalid_request', 'The body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * A parameter that may appear at most once (RFC 6749 §3.1). Empty counts as absent.
 * Throws invalid_request for duplicates, so callers never guess which copy counts.
 */
export function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1)
    throw new OAuthError('invalid_request', `The ${name} parameter appears more than once`);
  return values[0] === '' ? undefined : values[0];
}

export function required(params: URLSearchParams, name: string): string {
  const value = single(params, name);
  if (value === undefined)
    throw new OAuthError('invalid_request', `The ${name} parameter is missing`);
  return value;
}
