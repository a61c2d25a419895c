import type { Config } from './config.js';
import { Health } from './health.js';
import { createMcpEndpoint, MCP_PATH, type McpEndpoint } from './mcp/endpoint.js';
import type { OAuthContext } from './oauth/context.js';
import { corsHeaders } from './oauth/cors.js';
import { createDocumentFetch, type ResolveHost } from './oauth/document-fetch.js';
import type { CoreRequest, CoreResponse } from './oauth/http.js';
import { createRateCounter } from './oauth/rate-limit.js';
import {
  createPreflightHandler,
  createRoutes,
  preflightTargets,
  type Route,
} from './oauth/routes.js';
import type { Store } from './storage/store.js';

export interface AppDependencies {
  config: Config;
  store: Store;
  /** Unix epoch seconds; tests inject a clock. */
  now?: () => number;
  /** Used to fetch Client ID Metadata Documents; replaces the address-checking default. */
  fetch?: typeof fetch;
  /** Resolves Client ID Metadata Document hosts for the default fetch (dns.lookup); tests inject one. */
  resolveHost?: ResolveHost;
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
  /** /readyz answers 503 from now on (SIGTERM); see src/health.ts. */
  startDraining(): void;
  close(): Promise<void>;
}

export function createApp({
  config,
  store,
  now,
  fetch: fetchImpl,
  resolveHost,
}: AppDependencies): App {
  const context: OAuthContext = {
    config,
    store,
    now: now ?? (() => Math.floor(Date.now() / 1000)),
    fetch:
      fetchImpl ??
      createDocumentFetch({
        allowPrivateAddresses: config.cimdAllowPrivateAddresses,
        ...(resolveHost ? { resolveHost } : {}),
      }),
    rateCounter: createRateCounter(store),
  };
  const health = new Health(store);
  const routes = createRoutes(context, health);
  const mcp = createMcpEndpoint(context);
  return {
    config,
    routes,
    preflightPaths: [...preflightTargets(routes).keys()],
    preflight: createPreflightHandler(routes, context),
    mcpPath: MCP_PATH,
    mcp,
    corsHeaders: (request) => corsHeaders(request, config, 'allowlist'),
    startDraining: () => health.startDraining(),
    close: () => mcp.handler.close(),
  };
}
