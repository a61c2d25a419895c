import type { App } from '../../../src/app.js';
import type { Config } from '../../../src/config.js';
import type { CoreRequest, CoreResponse } from '../../../src/oauth/http.js';
import { startTestServer } from '../../helpers/server.js';

/**
 * The test server of test/helpers/server.ts (same config, same storage per test, same account), plus
 * what the browser suite needs on top:
 * a record of every answer the app gave, and a hook that rewrites the app's answers so a test
 * can switch a quirk patch off without any switch in the product code.
 */

/** Changes one answer of the app, e.g. 302 -> 303. Return the response unchanged to leave it alone. */
export type ResponseRewrite = (response: CoreResponse, request: CoreRequest) => CoreResponse;

export interface Exchange {
  kind: 'route' | 'preflight' | 'mcp';
  method: string;
  path: string;
  /** The Origin request header, as the browser sent it ('null' included). */
  origin: string | undefined;
  requestHeaders: CoreRequest['headers'];
  /** What the app answered; for /mcp requests the gate let through, the SDK's status is not seen here (0). */
  status: number;
  responseHeaders: Record<string, string>;
}

export interface BrowserTestServer {
  /** http://127.0.0.1:<port>, also PUBLIC_URL. */
  url: string;
  origin: string;
  issuer: string;
  resource: string;
  config: Config;
  /** Every request the app answered, in order. */
  exchanges: Exchange[];
  close(): Promise<void>;
}

export interface BrowserTestServerOptions {
  env?: Record<string, string>;
  rewrite?: ResponseRewrite;
}

function recordingApp(app: App, exchanges: Exchange[], rewrite: ResponseRewrite): App {
  const record = (
    kind: Exchange['kind'],
    request: CoreRequest,
    response: CoreResponse | undefined,
  ) => {
    exchanges.push({
      kind,
      method: request.method,
      path: request.url.pathname,
      origin: request.headers.origin,
      requestHeaders: request.headers,
      status: response?.status ?? 0,
      responseHeaders: response?.headers ?? {},
    });
  };
  return {
    ...app,
    routes: app.routes.map((route) => ({
      ...route,
      handle: async (request) => {
        const response = rewrite(await route.handle(request), request);
        record('route', request, response);
        return response;
      },
    })),
    preflight: (request, path) => {
      const response = app.preflight(request, path);
      record('preflight', request, response);
      return response;
    },
    mcp: {
      ...app.mcp,
      admit: async (request) => {
        const admission = await app.mcp.admit(request);
        if (!admission.ok) record('mcp', request, admission.response);
        return admission;
      },
      gate: (request, auth) => {
        const result = app.mcp.gate(request, auth);
        record('mcp', request, result.ok ? undefined : result.response);
        return result;
      },
    },
  };
}

export async function startBrowserTestServer(
  options: BrowserTestServerOptions = {},
): Promise<BrowserTestServer> {
  const exchanges: Exchange[] = [];
  const rewrite = options.rewrite ?? ((response) => response);
  const server = await startTestServer(options.env, {
    wrapApp: (app) => recordingApp(app, exchanges, rewrite),
  });
  return {
    url: server.url,
    origin: new URL(server.issuer).origin,
    issuer: server.issuer,
    resource: server.resource,
    config: server.config,
    exchanges,
    close: () => server.close(),
  };
}
