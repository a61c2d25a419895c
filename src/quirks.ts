/**
 * The quirk catalogue: ids and rules from shared/reference/server-behaviour.md §2.
 * `since` is the generator version whose templates first carried the patch; `regenerate`
 * reports the quirks a project gains between its recorded version and this one.
 */
export interface Quirk {
  id: string;
  rule: string;
  clients: string;
  source: string;
  since: string;
}

export const QUIRKS: readonly Quirk[] = [
  {
    id: 'consent-302',
    rule: 'The consent POST redirects to the client with 302 Found, never 303.',
    clients: 'claude.ai',
    source: 'seed 1; anthropics/claude-ai-mcp#215',
    since: '0.1.0',
  },
  {
    id: 'token-type-lowercase',
    rule: 'Token responses say "token_type": "bearer" (lowercase).',
    clients: 'strict clients',
    source: 'seed 2',
    since: '0.1.0',
  },
  {
    id: 'iss-consistent',
    rule: 'No iss in the authorization response and none advertised by default; ISS_PARAMETER=emit emits it on every redirect and advertises it.',
    clients: 'claude.ai, Codex',
    source: 'seed 3; modelcontextprotocol#2157; cloudflare/mcp-server-cloudflare#449',
    since: '0.1.0',
  },
  {
    id: 'dcr-refresh-grant',
    rule: 'DCR responses list grant_types ["authorization_code","refresh_token"].',
    clients: 'strict clients',
    source: 'seed 4',
    since: '0.1.0',
  },
  {
    id: 'cors-preflight',
    rule: 'OPTIONS on every metadata, OAuth and MCP route answers 204 before auth, with allow/expose headers for an origin allowlist.',
    clients: 'claude.ai, ChatGPT (browser)',
    source: 'seed 5; typescript-sdk#715; envoyproxy/ai-gateway#2307',
    since: '0.1.0',
  },
  {
    id: 'prm-path-suffix',
    rule: 'PRM and AS metadata answer at the root well-known path and at the /mcp-suffixed one.',
    clients: 'ChatGPT',
    source: 'seed 6; RFC 9728 §3.1',
    since: '0.1.0',
  },
  {
    id: 'consent-referrer',
    rule: 'Login and consent pages send Referrer-Policy: same-origin (header and meta); CSRF accepts the same-origin Origin.',
    clients: 'Chromium, Safari',
    source: 'seed 7',
    since: '0.1.0',
  },
  {
    id: 'consent-form-action',
    rule: "The consent page's CSP form-action allows 'self' plus the validated redirect_uri's origin; frame-ancestors 'none'.",
    clients: 'all browsers (CSP3)',
    source: 'seed 8; CSP3 §6.4',
    since: '0.1.0',
  },
  {
    id: 'resource-forms',
    rule: 'resource is accepted repeated, comma-separated or as a JSON array; every value must be the canonical resource.',
    clients: 'claude.ai, Claude Code, MCP SDK',
    source: 'seed 9; claude-code#52871; vercel/ai#13988',
    since: '0.1.0',
  },
  {
    id: 'scopes-discoverable',
    rule: 'AS metadata lists every scope + offline_access; consent offers every scope checked; unknown scopes are dropped.',
    clients: 'claude.ai, Claude Code',
    source: 'seed 10; claude-code#41610, #12077; tldraw/tldraw#10612',
    since: '0.1.0',
  },
  {
    id: 'refresh-rotation',
    rule: 'Refresh rotates atomically; the previous token stays valid for a grace window; reuse after it revokes the grant.',
    clients: 'claude.ai, Claude Code, Codex',
    source: 'seed 11; comet-ml/opik#8286; claude-code#85236',
    since: '0.1.0',
  },
  {
    id: 'client-auth-methods',
    rule: 'The token endpoint accepts client_secret_post, client_secret_basic and none; DCR honours the requested method.',
    clients: 'Claude, Claude Desktop',
    source: 'claude-ai-mcp#667, #82; KeeperHub/keeperhub#963',
    since: '0.1.0',
  },
  {
    id: 'loopback-any-port',
    rule: 'A registered loopback redirect matches any port; path and query must match exactly.',
    clients: 'VS Code, Claude Code, Gemini CLI',
    source: 'RFC 8252 §7.3; claude-code#10439',
    since: '0.1.0',
  },
  {
    id: 'private-use-schemes',
    rule: 'DCR accepts private-use schemes and https, http only for loopback; dangerous schemes are rejected.',
    clients: 'Cursor, VS Code',
    source: 'RFC 8252 §7.1; erp-mafia/accounted#2225',
    since: '0.1.0',
  },
  {
    id: 'json-errors',
    rule: 'Every register/token/revoke error is JSON {error, error_description} with the RFC status; DCR success is 201.',
    clients: 'Cursor',
    source: 'laravel/mcp#173; RFC 7591 §3.2',
    since: '0.1.0',
  },
  {
    id: 'grant-types-supported',
    rule: 'AS metadata always carries response_types, grant_types, code_challenge_methods and the endpoint list.',
    clients: 'VS Code, Claude Code',
    source: 'vscode#278512; claude-code#17274',
    since: '0.1.0',
  },
  {
    id: 'www-authenticate',
    rule: '401 on /mcp names the PRM URL and baseline scope; a missing tool scope is 403 insufficient_scope.',
    clients: 'all MCP clients',
    source: 'MCP 2025-11-25/2026-07-28 §Scope Challenge Handling; RFC 6750 §3',
    since: '0.1.0',
  },
  {
    id: 'bearer-case',
    rule: 'The Authorization scheme is matched case-insensitively.',
    clients: 'clients sending "bearer"',
    source: 'RFC 9110 §11.1',
    since: '0.1.0',
  },
  {
    id: 'audience-bound',
    rule: '/mcp accepts only tokens issued for its canonical resource.',
    clients: 'all MCP clients',
    source: 'MCP §Token Handling; claude-ai-mcp#480',
    since: '0.1.0',
  },
  {
    id: 'cimd',
    rule: 'Client ID Metadata Documents: an https client_id URL is fetched safely, validated and cached.',
    clients: 'claude.ai, ChatGPT, Claude Code',
    source: 'MCP 2025-11-25 client-registration',
    since: '0.1.0',
  },
  {
    id: 'origin-check',
    rule: 'A request to /mcp with a present, disallowed Origin is 403 (DNS rebinding).',
    clients: 'browsers',
    source: 'MCP transports §Security',
    since: '0.1.0',
  },
];

export const QUIRK_IDS: readonly string[] = QUIRKS.map((q) => q.id);
