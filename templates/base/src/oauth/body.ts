import { OAuthError } from './errors.js';
import { header, type CoreRequest } from './http.js';

function mediaType(request: CoreRequest): string {
  return (header(request, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** An application/x-www-form-urlencoded body (token, revoke, login and consent posts). */
export function readForm(request: CoreRequest): URLSearchParams {
  if (mediaType(request) !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'The body must be application/x-www-form-urlencoded');
  }
  if (/%(?![0-9a-f]{2})/i.test(request.body)) {
    throw new OAuthError('invalid_request', 'The form body is not valid percent-encoding');
  }
  return new URLSearchParams(request.body);
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
