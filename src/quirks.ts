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
    rule: 'Refresh rotates atomically; until a successor is first used (at most REFRESH_GRACE_SECONDS) the previous token answers with sibling pairs and the first use retires the rest; reuse revokes the grant, whose lifetime counts from consent.',
    clients: 'claude.ai, Claude Code, Codex',
    source: 'seed 11; comet-ml/opik#8286; claude-code#85236, #74250, #91641; RFC 9700 §4.14.2',
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
  {
    id: 'revoke-superseded',
    rule: 'Revoking a rotated-out refresh token invalidates only that token; revoking the current one revokes the grant; a refresh never revokes live access tokens.',
    clients: 'Claude Code',
    source: 'claude-code#94471, #65408',
    since: '0.2.0',
  },
  {
    id: 'shared-egress-limits',
    rule: '/token is limited per client_id under a high per-address ceiling; /register admits 60/min and bursts of 5/s per address; identical registrations get two clients.',
    clients: 'claude.ai, ChatGPT, Goose',
    source: 'claude-ai-mcp#966; aaif-goose/goose#9181; claude-code#59460',
    since: '0.2.0',
  },
  {
    id: 'client-retention',
    rule: 'A client with a live grant or used within 90 days is kept; an unused DCR client may be purged after 7 days; an unknown client_id is 401 invalid_client at /token and a "connect again" page at /authorize.',
    clients: 'Claude Code',
    source: 'claude-code#84614; PrefectHQ/fastmcp#1762',
    since: '0.2.0',
  },
  {
    id: 'loopback-matcher-everywhere',
    rule: 'A registered loopback redirect with or without a port matches any port, with the same matcher at /authorize, the consent POST and /token.',
    clients: 'Claude Code',
    source: 'getsentry/sentry-mcp#1189; claude-code#37767, #64705',
    since: '0.2.0',
  },
  {
    id: 'consent-idempotent',
    rule: 'Each GET /authorize makes its own pending request; Approve submitted twice within 60 s answers the same 302; an expired request shows a page with a way back.',
    clients: 'claude.ai',
    source: 'claude-ai-mcp#562, #899',
    since: '0.2.0',
  },
  {
    id: 'dpop-tolerant',
    rule: 'A DPoP header on /token or /mcp never breaks the flow: it is ignored and token_type stays bearer (RFC 9449 is not advertised).',
    clients: 'MCP SDK client 2.1+',
    source: '@modelcontextprotocol/client dpop.ts; SEP-1932 (draft)',
    since: '0.2.0',
  },
  {
    id: 'cors-open-oauth',
    rule: 'Metadata, register, token and revoke answer CORS for any origin by echoing it, never with credentials; /mcp keeps the allowlist.',
    clients: 'Cloudflare MCP portal, MCP Inspector, web hosts',
    source: 'getsentry/sentry-mcp#999; RFC 6749 §3.2',
    since: '0.2.0',
  },
  {
    id: 'cors-reflect-headers',
    rule: 'Preflights allow every requested header that is a valid HTTP token (Mcp-Param-*, DPoP); DPoP-Nonce is exposed.',
    clients: 'MCP 2026-07-28 clients in browsers',
    source: 'MCP 2026-07-28 transports (SEP-2243); SDK mcpParamHeaders.ts',
    since: '0.2.0',
  },
  {
    id: 'refresh-invalid-grant',
    rule: 'A refresh whose grant no longer fits (resource changed with PUBLIC_URL, client or user gone) answers invalid_grant, never invalid_target or 5xx.',
    clients: 'all MCP clients',
    source: 'cloudflare/workers-oauth-provider 1.2.3 docs/migration-1.x.md',
    since: '0.2.0',
  },
  {
    id: 'token-lifetime-overrides',
    rule: 'ACCESS_TOKEN_TTL_OVERRIDES sets the access-token lifetime per redirect host; a refresh token is always issued, offline_access or not.',
    clients: 'claude.ai, Claude Code',
    source: 'claude-ai-mcp#228, #247; claude-code#65036, #68377',
    since: '0.2.0',
  },
  {
    id: 'claude-callbacks',
    rule: 'Both the claude.ai and the claude.com /api/mcp/auth_callback are accepted, and https://claude.com is in the default origin allowlist.',
    clients: 'claude.ai, Claude Desktop',
    source: 'Claude connector guide',
    since: '0.2.0',
  },
  {
    id: 'public-port-443',
    rule: 'An https PUBLIC_URL on a port other than 443 gets one warning line at start naming claude.ai.',
    clients: 'claude.ai',
    source: 'claude-ai-mcp#85',
    since: '0.2.0',
  },
  {
    id: 'cimd-profiles',
    rule: 'Metadata documents as real clients publish them are accepted: unsupported grant types are dropped, auth-method arrays are intersected, none is the default and is advertised.',
    clients: 'VS Code, Codex, Zed, Goose, opencode',
    source: 'microsoft/vscode#271403; openai/codex#30460; zed-industries/zed#51768; aaif-goose/goose#9670; SEP-3149',
    since: '0.2.0',
  },  {
    id: 'chatgpt-security-schemes',
    rule: 'tools/list gives every tool _meta.securitySchemes [{ type: "oauth2", scopes }] naming the scopes its call needs, so ChatGPT links the account before the call; none claims noauth, since /mcp needs a token.',
    clients: 'ChatGPT (Apps SDK)',
    source: 'OpenAI Apps SDK, Authentication (developers.openai.com/apps-sdk/build/auth): per-tool securitySchemes; SEP-1488',
    since: '0.2.0',
  },
];

export const QUIRK_IDS: readonly string[] = QUIRKS.map((q) => q.id);
