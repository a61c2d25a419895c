import { jsonResponse, type CoreResponse } from './http.js';
import { API_HEADERS } from './security-headers.js';

/** RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 7009 §2.2.1, RFC 8707 §2 and RFC 6750 §3.1 error codes. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'unsupported_token_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'login_required'
  | 'consent_required'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'temporarily_unavailable'
  | 'server_error'
  | 'slow_down';

const STATUS_BY_CODE: Partial<Record<OAuthErrorCode, number>> = {
  invalid_client: 401,
  temporarily_unavailable: 503,
  server_error: 500,
  slow_down: 429,
};

/** Seconds a 503 for an unreachable store (Retry-After) asks the client to wait before it retries. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** An error the client should see as JSON `{ error, error_description }` (quirk json-errors). */
export class OAuthError extends Error {
  readonly status: number;

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    status?: number,
  ) {
    super(`${code}: ${description}`);
    this.name = 'OAuthError';
    this.status = status ?? STATUS_BY_CODE[code] ?? 400;
  }

  toResponse(headers: Record<string, string> = {}): CoreResponse {
    return jsonResponse(
      this.status,
      { error: this.code, error_description: this.description },
      { ...API_HEADERS, ...headers },
    );
  }
}

export class RateLimitedError extends OAuthError {
  constructor(readonly retryAfterSeconds: number) {
    super('slow_down', 'Too many requests; retry later', 429);
    this.name = 'RateLimitedError';
  }

  override toResponse(headers: Record<string, string> = {}): CoreResponse {
    return super.toResponse({ 'retry-after': String(this.retryAfterSeconds), ...headers });
  }
}
