import type { Config } from '../config.js';
import { jsonResponse, type CoreResponse } from './http.js';
import { SUPPORTED_AUTH_METHODS, SUPPORTED_GRANT_TYPES } from './register.js';
import { BASELINE_SCOPE, OFFLINE_ACCESS, SCOPES } from './scopes.js';

/** Served at the root well-known paths and at the /mcp-suffixed ones (quirk prm-path-suffix). */
export const PROTECTED_RESOURCE_METADATA_PATHS = [
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
];
export const AUTHORIZATION_SERVER_METADATA_PATHS = [
  '/.well-known/oauth-authorization-server',
  '/.well-known/oauth-authorization-server/mcp',
];

export function protectedResourceMetadataUrl(config: Config): string {
  return `${config.publicUrl}/.well-known/oauth-protected-resource/mcp`;
}

const METADATA_HEADERS = { 'cache-control': 'public, max-age=300' };

/** RFC 8414. The fields strict clients refuse to do without are always present (quirk grant-types-supported). */
export function authorizationServerMetadata(config: Config): Record<string, unknown> {
  const base = config.publicUrl;
  return {
    issuer: base,
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    registration_endpoint: `${base}/oauth/register`,
    revocation_endpoint: `${base}/oauth/revoke`,
    scopes_supported: [...SCOPES.map((scope) => scope.name), OFFLINE_ACCESS],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: SUPPORTED_GRANT_TYPES,
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: SUPPORTED_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: SUPPORTED_AUTH_METHODS,
    client_id_metadata_document_supported: true,
    // Advertised only when emitted: Codex rejects a missing iss once it is advertised (quirk iss-consistent).
    ...(config.issParameter === 'emit'
      ? { authorization_response_iss_parameter_supported: true }
      : {}),
    // No dpop_signing_alg_values_supported: tokens are not bound to a key (RFC 9449), so a DPoP proof
    // sent to /token or /mcp is ignored and tokens stay bearer (quirk dpop-tolerant).
  };
}

/** RFC 9728. Only the baseline scope: offline_access is not a resource scope (quirk scopes-discoverable). */
export function protectedResourceMetadata(config: Config): Record<string, unknown> {
  return {
    resource: config.resource,
    authorization_servers: [config.publicUrl],
    scopes_supported: [BASELINE_SCOPE],
    bearer_methods_supported: ['header'],
    resource_name: 'MCP server',
  };
}

export function authorizationServerMetadataResponse(config: Config): CoreResponse {
  return jsonResponse(200, authorizationServerMetadata(config), METADATA_HEADERS);
}

export function protectedResourceMetadataResponse(config: Config): CoreResponse {
  return jsonResponse(200, protectedResourceMetadata(config), METADATA_HEADERS);
}

/** We are not an OpenID provider: a clear 404 rather than a partial document clients would misread. */
export function openIdConfigurationResponse(): CoreResponse {
  return jsonResponse(404, {
    error: 'not_found',
    error_description: 'This server is not an OpenID Connect provider',
  });
}
