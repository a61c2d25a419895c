import type { Config } from './config.js';
import { createMcpEndpoint, MCP_PATH, type McpEndpoint } from './mcp/endpoint.js';
import type { OAuthContext } from './oauth/context.js';
import { corsHeaders } from './oauth/cors.js';
import type { CoreRequest, CoreResponse } from './oauth/http.js';
import { createPreflightHandler, createRoutes, methodsByPath, type Route } from './oauth/routes.js';
import type { Store } from './storage/store.js';

export interface AppDependencies {
  config: Config;
  store: Store;
  /** Unix epoch seconds; tests inject a clock. */
  now?: () => number;
  /** Used to fetch Client ID Metadata Documents. */
  fetch?: typeof fetch;
}

/** Everything a framework adapter mounts. It makes no OAuth decision of its own. */
export interface App {
  config: Config;
  routes: Route[];
  /** Every path that answers OPTIONS: all routes and /mcp. */
  preflightPaths: string[];
  preflight(request: CoreRequest, path: string): CoreResponse;
  mcpPath: string;
  mcp: McpEndpoint;
  /** CORS headers for an /mcp answer produced by the MCP SDK. */
  corsHeaders(request: CoreRequest): Record<string, string>;
  close(): Promise<void>;
}

export function createApp({ config, store, now, fetch: fetchImpl }: AppDependencies): App {
  const context: OAuthContext = {
    config,
    store,
    now: now ?? (() => Math.floor(Date.now() / 1000)),
    fetch: fetchImpl ?? fetch,
  };
  const routes = createRoutes(context);
  const mcp = createMcpEndpoint(context);
  return {
    config,
    routes,
    preflightPaths: [...methodsByPath(routes).keys()],
    preflight: createPreflightHandler(routes, context),
    mcpPath: MCP_PATH,
    mcp,
    corsHeaders: (request) => corsHeaders(request, config),
    close: () => mcp.handler.close(),
  };
}
