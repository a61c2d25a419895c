import type { Config } from '../config.js';
import { header, type CoreRequest, type CoreResponse } from './http.js';

/** Everything an MCP client sends on discovery, OAuth and MCP calls (quirk cors-preflight). */
const ALLOWED_HEADERS =
  'Authorization, Content-Type, Accept, MCP-Protocol-Version, Mcp-Session-Id, Mcp-Method, Mcp-Name, Last-Event-ID';
const EXPOSED_HEADERS = 'WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version';

const LOOPBACK_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

export function isAllowedOrigin(origin: string, config: Config): boolean {
  return (
    LOOPBACK_ORIGIN.test(origin) ||
    config.allowedOrigins.includes(origin) ||
    origin === new URL(config.publicUrl).origin
  );
}

/** Headers for a real (non-preflight) response. Never `*`: the origin is echoed from the allowlist. */
export function corsHeaders(request: CoreRequest, config: Config): Record<string, string> {
  const origin = header(request, 'origin');
  if (!origin || !isAllowedOrigin(origin, config)) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': EXPOSED_HEADERS,
    vary: 'Origin',
  };
}

/** 204 before any auth check, whatever the route requires later. */
export function preflightResponse(
  request: CoreRequest,
  config: Config,
  methods: readonly string[],
): CoreResponse {
  const origin = header(request, 'origin');
  const headers: Record<string, string> = { vary: 'Origin' };
  if (origin && isAllowedOrigin(origin, config)) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-methods'] = [...methods, 'OPTIONS'].join(', ');
    headers['access-control-allow-headers'] = ALLOWED_HEADERS;
    headers['access-control-max-age'] = '86400';
  }
  return { status: 204, headers };
}
