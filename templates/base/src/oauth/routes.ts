import { MCP_PATH } from '../mcp/endpoint.js';
import { handleAuthorize, handleConsent } from './authorize.js';
import { handleLogin } from './login.js';
import { errorPage } from './page-flow.js';
import type { OAuthContext } from './context.js';
import { corsHeaders, preflightResponse } from './cors.js';
import { OAuthError, RateLimitedError } from './errors.js';
import { jsonResponse, type CoreHandler, type CoreRequest, type CoreResponse } from './http.js';
import {
  AUTHORIZATION_SERVER_METADATA_PATHS,
  PROTECTED_RESOURCE_METADATA_PATHS,
  authorizationServerMetadataResponse,
  openIdConfigurationResponse,
  protectedResourceMetadataResponse,
} from './metadata.js';
import { handleRegister } from './register.js';
import { handleRevoke } from './revoke.js';
import { handleToken } from './token.js';

export type RouteMethod = 'GET' | 'POST';

export interface Route {
  method: RouteMethod;
  /**
   * Every path this route answers. Root aliases exist because VS Code and the MCP SDK fall back to
   * /authorize, /token and /register when discovery fails. Adapters also accept a trailing slash
   * (never a redirect: a redirected POST becomes a GET and the client sees 405).
   */
  paths: string[];
  handle: CoreHandler;
}

/** JSON endpoints answer errors as JSON (quirk json-errors); pages answer with an HTML page. */
type Audience = 'json' | 'page';

function errorResponse(error: unknown, audience: Audience): CoreResponse {
  if (error instanceof OAuthError) {
    if (audience === 'json') return error.toResponse();
    const page = errorPage(error.status, 'This request cannot be completed', error.description);
    return error instanceof RateLimitedError
      ? { ...page, headers: { ...page.headers, 'retry-after': String(error.retryAfterSeconds) } }
      : page;
  }
  // Log the failure, never the request: bodies and query strings carry codes, tokens and passwords.
  console.error('request failed:', error instanceof Error ? (error.stack ?? error.message) : error);
  return audience === 'json'
    ? new OAuthError('server_error', 'The server could not complete the request').toResponse()
    : errorPage(500, 'Something went wrong', 'Please try again in a moment.');
}

function endpoint(
  audience: Audience,
  context: OAuthContext,
  handler: (request: CoreRequest, context: OAuthContext) => Promise<CoreResponse>,
): CoreHandler {
  return async (request) => {
    let response: CoreResponse;
    try {
      response = await handler(request, context);
    } catch (error) {
      response = errorResponse(error, audience);
    }
    return {
      ...response,
      headers: { ...corsHeaders(request, context.config), ...response.headers },
    };
  };
}

export function createRoutes(context: OAuthContext): Route[] {
  const { config } = context;
  const json = (handler: Parameters<typeof endpoint>[2]) => endpoint('json', context, handler);
  const page = (handler: Parameters<typeof endpoint>[2]) => endpoint('page', context, handler);
  return [
    {
      method: 'GET',
      paths: PROTECTED_RESOURCE_METADATA_PATHS,
      handle: json(async () => protectedResourceMetadataResponse(config)),
    },
    {
      method: 'GET',
      paths: AUTHORIZATION_SERVER_METADATA_PATHS,
      handle: json(async () => authorizationServerMetadataResponse(config)),
    },
    {
      method: 'GET',
      paths: ['/.well-known/openid-configuration'],
      handle: json(async () => openIdConfigurationResponse()),
    },
    { method: 'POST', paths: ['/oauth/register', '/register'], handle: json(handleRegister) },
    { method: 'GET', paths: ['/oauth/authorize', '/authorize'], handle: page(handleAuthorize) },
    { method: 'POST', paths: ['/oauth/authorize', '/authorize'], handle: page(handleConsent) },
    { method: 'POST', paths: ['/oauth/login'], handle: page(handleLogin) },
    { method: 'POST', paths: ['/oauth/token', '/token'], handle: json(handleToken) },
    { method: 'POST', paths: ['/oauth/revoke', '/revoke'], handle: json(handleRevoke) },
    {
      method: 'GET',
      paths: ['/healthz'],
      handle: json(async () => jsonResponse(200, { status: 'ok' })),
    },
  ];
}

/** The methods each path answers, for preflights (quirk cors-preflight). */
export function methodsByPath(routes: readonly Route[]): Map<string, string[]> {
  const methods = new Map<string, string[]>([[MCP_PATH, ['GET', 'POST', 'DELETE']]]);
  for (const route of routes) {
    for (const path of route.paths) methods.set(path, [...(methods.get(path) ?? []), route.method]);
  }
  return methods;
}

export function createPreflightHandler(
  routes: readonly Route[],
  context: OAuthContext,
): (request: CoreRequest, path: string) => CoreResponse {
  const methods = methodsByPath(routes);
  return (request, path) =>
    preflightResponse(request, context.config, methods.get(path) ?? ['GET', 'POST']);
}
