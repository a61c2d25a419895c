import type { Health } from '../health.js';
import { MCP_PATH } from '../mcp/endpoint.js';
import { StoreUnavailableError } from '../storage/store.js';
import { handleAuthorize, handleConsent } from './authorize.js';
import { rejectControlCharacters } from './body.js';
import { handleLogin } from './login.js';
import { errorPage } from './page-flow.js';
import type { OAuthContext } from './context.js';
import { corsHeaders, preflightResponse, type CorsPolicy } from './cors.js';
import { OAuthError, RateLimitedError, STORE_RETRY_AFTER_SECONDS } from './errors.js';
import type { CoreHandler, CoreRequest, CoreResponse } from './http.js';
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
  /** Who may read the answers cross-origin; the routes of one path share a policy. */
  cors: CorsPolicy;
  handle: CoreHandler;
}

/** JSON endpoints answer errors as JSON (quirk json-errors); pages answer with an HTML page. */
type Audience = 'json' | 'page';

function errorResponse(error: unknown, audience: Audience): CoreResponse {
  if (error instanceof StoreUnavailableError) return storeUnavailableResponse(error, audience);
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

/** 503 with Retry-After while the store is unreachable; the client retries, the server needs no restart. */
function storeUnavailableResponse(error: StoreUnavailableError, audience: Audience): CoreResponse {
  console.error(`request failed: ${error.message}`);
  const retryAfter = { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) };
  if (audience === 'json') {
    return new OAuthError(
      'temporarily_unavailable',
      'The server cannot reach its storage; retry in a moment',
    ).toResponse(retryAfter);
  }
  const page = errorPage(503, 'Temporarily unavailable', 'Please try again in a moment.');
  return { ...page, headers: { ...page.headers, ...retryAfter } };
}

function endpoint(
  audience: Audience,
  context: OAuthContext,
  handler: (request: CoreRequest, context: OAuthContext) => Promise<CoreResponse>,
): CoreHandler {
  return async (request) => {
    try {
      // The pages read their query (/authorize hands client_id to the store): control characters stop
      // here. The JSON endpoints ignore the query string.
      if (audience === 'page') rejectControlCharacters(request.url.searchParams);
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error, audience);
    }
  };
}

/** Adds the route's CORS headers to every answer, errors included (quirks cors-preflight, cors-open-oauth). */
function withCors(route: Route, context: OAuthContext): Route {
  return {
    ...route,
    handle: async (request) => {
      const response = await route.handle(request);
      const cors = corsHeaders(request, context.config, route.cors);
      return { ...response, headers: { ...cors, ...response.headers } };
    },
  };
}

export function createRoutes(context: OAuthContext, health: Health): Route[] {
  return oauthRoutes(context, health).map((route) => withCors(route, context));
}

function oauthRoutes(context: OAuthContext, health: Health): Route[] {
  const { config } = context;
  const json = (handler: Parameters<typeof endpoint>[2]) => endpoint('json', context, handler);
  const page = (handler: Parameters<typeof endpoint>[2]) => endpoint('page', context, handler);
  return [
    {
      method: 'GET',
      paths: PROTECTED_RESOURCE_METADATA_PATHS,
      cors: 'any-origin',
      handle: json(async () => protectedResourceMetadataResponse(config)),
    },
    {
      method: 'GET',
      paths: AUTHORIZATION_SERVER_METADATA_PATHS,
      cors: 'any-origin',
      handle: json(async () => authorizationServerMetadataResponse(config)),
    },
    {
      method: 'GET',
      paths: ['/.well-known/openid-configuration'],
      cors: 'any-origin',
      handle: json(async () => openIdConfigurationResponse()),
    },
    {
      method: 'POST',
      paths: ['/oauth/register', '/register'],
      cors: 'any-origin',
      handle: json(handleRegister),
    },
    {
      method: 'GET',
      paths: ['/oauth/authorize', '/authorize'],
      cors: 'none',
      handle: page(handleAuthorize),
    },
    {
      method: 'POST',
      paths: ['/oauth/authorize', '/authorize'],
      cors: 'none',
      handle: page(handleConsent),
    },
    { method: 'POST', paths: ['/oauth/login'], cors: 'none', handle: page(handleLogin) },
    {
      method: 'POST',
      paths: ['/oauth/token', '/token'],
      cors: 'any-origin',
      handle: json(handleToken),
    },
    {
      method: 'POST',
      paths: ['/oauth/revoke', '/revoke'],
      cors: 'any-origin',
      handle: json(handleRevoke),
    },
    {
      method: 'GET',
      paths: ['/healthz'],
      cors: 'any-origin',
      handle: json(async () => health.live()),
    },
    {
      method: 'GET',
      paths: ['/readyz'],
      cors: 'any-origin',
      handle: json(() => health.ready()),
    },
  ];
}

export interface PreflightTarget {
  methods: string[];
  cors: CorsPolicy;
}

/** The methods and CORS policy of each path, for preflights (quirk cors-preflight). */
export function preflightTargets(routes: readonly Route[]): Map<string, PreflightTarget> {
  const targets = new Map<string, PreflightTarget>([
    [MCP_PATH, { methods: ['GET', 'POST', 'DELETE'], cors: 'allowlist' }],
  ]);
  for (const route of routes) {
    for (const path of route.paths) {
      const methods = [...(targets.get(path)?.methods ?? []), route.method];
      targets.set(path, { methods, cors: route.cors });
    }
  }
  return targets;
}

export function createPreflightHandler(
  routes: readonly Route[],
  context: OAuthContext,
): (request: CoreRequest, path: string) => CoreResponse {
  const targets = preflightTargets(routes);
  return (request, path) =>
    preflightResponse(
      request,
      context.config,
      targets.get(path) ?? { methods: ['GET', 'POST'], cors: 'none' },
    );
}
