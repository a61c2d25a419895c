/**
 * Checks that are not client quirks but flow rules (shared/reference/server-behaviour.md §1 and §3): their
 * fix text. Quirk ids take theirs from the catalogue in src/quirks.ts.
 */
export interface Rule {
  id: string;
  rule: string;
  source: string;
}

export const CHECK_RULES: readonly Rule[] = [
  { id: 'reachable', rule: 'The MCP URL answers over HTTP(S) within the timeout.', source: '-' },
  { id: 'as-metadata', rule: 'Serve RFC 8414 metadata at /.well-known/oauth-authorization-server (path-inserted for an issuer with a path).', source: 'RFC 8414 §3; MCP §Authorization Server Discovery' },
  { id: 'prm-resource', rule: 'PRM resource is exactly the MCP URL clients are given, and authorization_servers names the issuer.', source: 'RFC 9728 §3.3; VS Code, Codex, Gemini CLI' },
  { id: 'issuer-identity', rule: 'One issuer string, no trailing slash, byte-identical in AS metadata issuer and PRM authorization_servers[0].', source: 'RFC 8414 §3.3; RFC 9207' },
  { id: 'openid-configuration', rule: '/.well-known/openid-configuration is 404 unless the server implements OpenID Connect fully.', source: 'OIDC Discovery 1.0' },
  { id: 'dcr-profile', rule: "DCR accepts each client's real registration (its redirect URIs, grant types and auth method).", source: 'RFC 7591; §4 client profiles' },
  { id: 'dcr-cleanup', rule: 'Test clients are removed where the server offers RFC 7592 management.', source: 'RFC 7592' },
  { id: 'authorize-accepts', rule: '/authorize shows the login or consent page for a registered client and redirect.', source: 'RFC 6749 §4.1.1' },
  { id: 'authorize-validates', rule: '/authorize checks client_id and redirect_uri before it redirects anywhere; a bad one gets an error page (no open redirect).', source: 'RFC 9700 §4.11.2' },
  { id: 'pkce-s256', rule: 'PKCE is required with S256; plain and a missing challenge are refused.', source: 'OAuth 2.1 §4.1.1; RFC 7636' },
  { id: 'token-response', rule: 'Token responses: Cache-Control: no-store, and access_token, token_type, expires_in, refresh_token, scope.', source: 'RFC 6749 §5.1; OAuth 2.1' },
  { id: 'code-single-use', rule: 'An authorization code works once; a replay is invalid_grant.', source: 'RFC 6749 §4.1.2; RFC 9700 §4.2' },
  { id: 'revocation', rule: 'RFC 7009: an unknown token answers 200; revoking the current refresh token ends its grant.', source: 'RFC 7009 §2.2' },
  { id: 'trailing-slash', rule: 'A trailing slash on an OAuth or MCP path is the same route, never a 301/308.', source: 'claude-ai-mcp#136' },
  { id: 'root-aliases', rule: '/authorize, /token and /register on the MCP origin answer like the advertised endpoints.', source: 'vscode src/vs/base/common/oauth.ts; typescript-sdk client auth' },
  { id: 'https', rule: 'A public MCP server is served over https.', source: 'OAuth 2.1 §1.5; MCP §Security' },
  { id: 'login', rule: 'A CLI client can complete the authorization code flow with a loopback redirect.', source: 'RFC 8252 §7.3' },
  { id: 'mcp-initialize', rule: '/mcp answers initialize and tools/list for a token the server issued.', source: 'MCP Streamable HTTP transport' },
];
