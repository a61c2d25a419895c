/**
 * The small request/response shape the OAuth core speaks. Framework adapters (src/http/*)
 * convert to and from it; no OAuth decision is made outside src/oauth/.
 */

export interface CoreRequest {
  method: string;
  /** The request URL resolved against PUBLIC_URL (never against the Host header). */
  url: URL;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string | undefined>;
  /** The raw body, "" when there is none. Adapters cap its size (see BODY_LIMITS). */
  body: string;
  /**
   * The TCP peer's address, exactly as the socket reports it. Adapters never read X-Forwarded-For:
   * src/oauth/client-address.ts decides what to believe (TRUST_PROXY).
   */
  remoteAddress: string;
}

export interface CoreResponse {
  status: number;
  headers: Record<string, string>;
  /** Set-Cookie values, one per cookie. */
  cookies?: string[];
  body?: string;
}

export type CoreHandler = (request: CoreRequest) => Promise<CoreResponse>;

/** Largest bodies accepted, in bytes: DCR JSON 64 KB, forms 16 KB, MCP messages 4 MB. */
export const BODY_LIMITS = {
  oauth: 64 * 1024,
  form: 16 * 1024,
  mcp: 4 * 1024 * 1024,
} as const;

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): CoreResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
  };
}

export function htmlResponse(
  status: number,
  html: string,
  headers: Record<string, string> = {},
): CoreResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', ...headers },
    body: html,
  };
}

export function redirectResponse(
  location: string,
  headers: Record<string, string> = {},
): CoreResponse {
  // 302, never 303: claude.ai mishandles 303 after consent (quirk consent-302).
  return { status: 302, headers: { location, ...headers } };
}

export function header(request: CoreRequest, name: string): string | undefined {
  return request.headers[name.toLowerCase()];
}
