import type { Config } from '../config.js';
import { header, type CoreRequest, type CoreResponse } from './http.js';

/**
 * Who may read a route's answers from a script on another origin.
 * - `any-origin`: the cookie-free OAuth endpoints (metadata, register, token, revoke) hold no ambient
 *   credentials, so any origin is echoed, never with credentials (quirk cors-open-oauth).
 * - `allowlist`: /mcp echoes only the origins the DNS-rebinding check lets in (quirks cors-preflight, origin-check).
 * - `none`: pages the browser navigates to (authorize, login) are not fetched cross-origin.
 */
export type CorsPolicy = 'any-origin' | 'allowlist' | 'none';

/** Everything an MCP client sends on discovery, OAuth and MCP calls, allowed whatever a preflight asks (quirk cors-preflight). */
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'MCP-Protocol-Version',
  'Mcp-Session-Id',
  'Mcp-Method',
  'Mcp-Name',
  'Last-Event-ID',
];
const EXPOSED_HEADERS = 'WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version, DPoP-Nonce';

/** RFC 9110 §5.6.2: a field name is a token. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A serialized origin (RFC 6454 §6.2): scheme://host[:port], or the opaque "null". Never a list. */
const SERIALIZED_ORIGIN = /^(null|[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#,]+)$/;

const LOOPBACK_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

export function isAllowedOrigin(origin: string, config: Config): boolean {
  return (
    LOOPBACK_ORIGIN.test(origin) ||
    config.allowedOrigins.includes(origin) ||
    origin === new URL(config.publicUrl).origin
  );
}

/** The request's Origin when the route's policy lets that origin read the answer. */
function echoedOrigin(
  request: CoreRequest,
  config: Config,
  policy: CorsPolicy,
): string | undefined {
  const origin = header(request, 'origin');
  if (origin === undefined) return undefined;
  switch (policy) {
    case 'any-origin':
      return SERIALIZED_ORIGIN.test(origin) ? origin : undefined;
    case 'allowlist':
      return isAllowedOrigin(origin, config) ? origin : undefined;
    case 'none':
      return undefined;
  }
}

/**
 * The fixed list plus every header the preflight asks for, so per-tool Mcp-Param-* headers and DPoP pass
 * (quirk cors-reflect-headers). A requested name that is not a valid field name is dropped rather than
 * refusing the preflight: fetch() cannot send such a header, so no real page asks for one, and the browser
 * still refuses any request carrying a header the answer did not allow. Reflecting it would only copy
 * arbitrary bytes into our answer.
 */
function allowedHeaders(request: CoreRequest): string {
  const names = new Map(ALLOWED_HEADERS.map((name) => [name.toLowerCase(), name]));
  for (const requested of (header(request, 'access-control-request-headers') ?? '').split(',')) {
    const name = requested.trim();
    if (HTTP_TOKEN.test(name) && !names.has(name.toLowerCase()))
      names.set(name.toLowerCase(), name);
  }
  return [...names.values()].join(', ');
}

/** Headers for a real (non-preflight) response. Never `*` and never credentials: the origin is echoed. */
export function corsHeaders(
  request: CoreRequest,
  config: Config,
  policy: CorsPolicy,
): Record<string, string> {
  if (policy === 'none') return {};
  const origin = echoedOrigin(request, config, policy);
  if (!origin) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': EXPOSED_HEADERS,
    vary: 'Origin',
  };
}

/** 204 before any auth check, whatever the route requires later (quirk cors-preflight). */
export function preflightResponse(
  request: CoreRequest,
  config: Config,
  route: { methods: readonly string[]; cors: CorsPolicy },
): CoreResponse {
  const origin = echoedOrigin(request, config, route.cors);
  // The allowed headers are reflected from the request, so a cache must key on them too.
  const headers: Record<string, string> = { vary: 'Origin, Access-Control-Request-Headers' };
  if (origin) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-methods'] = [...route.methods, 'OPTIONS'].join(', ');
    headers['access-control-allow-headers'] = allowedHeaders(request);
    headers['access-control-max-age'] = '86400';
  }
  return { status: 204, headers };
}
