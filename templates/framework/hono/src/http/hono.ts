import type { Server } from 'node:http';
import { serve, type HttpBindings } from '@hono/node-server';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { App } from '../app.js';
import { OAuthError } from '../oauth/errors.js';
import { BODY_LIMITS, type CoreRequest, type CoreResponse } from '../oauth/http.js';
import {
  bodyLeftUnread,
  nodeServerLifecycle,
  runningServer,
  type ListenOptions,
  type RunningServer,
} from './running-server.js';

/** The Hono adapter (on Node): mounts the app's routes and converts requests and responses. Nothing else. */

type Env = { Bindings: HttpBindings; Variables: { auth: AuthInfo } };

const NOT_FOUND: CoreResponse = {
  status: 404,
  headers: { 'content-type': 'application/json' },
  body: '{"error":"not_found"}',
};

class UnreadableBodyError extends Error {}

async function readBody(c: Context<Env>): Promise<string> {
  try {
    return await c.req.text();
  } catch (error) {
    throw new UnreadableBodyError('the request body could not be read', { cause: error });
  }
}

/**
 * Headers and URL come from Node's own request, as the other adapters see them (Node folds repeated
 * headers its own way); the URL is resolved against PUBLIC_URL, never the Host header.
 */
async function toCoreRequest(
  c: Context<Env>,
  publicUrl: string,
  withBody: boolean,
): Promise<CoreRequest> {
  const { incoming } = c.env;
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: c.req.method,
    url: new URL(incoming.url ?? '/', publicUrl),
    headers,
    body: withBody ? await readBody(c) : '',
    remoteAddress: incoming.socket.remoteAddress ?? '',
  };
}

function toResponse(response: CoreResponse): Response {
  const headers = new Headers(response.headers);
  for (const cookie of response.cookies ?? []) headers.append('set-cookie', cookie);
  // null, not '': even an empty string body gets a text/plain type, and a 204 must have no body at all.
  return new Response(response.body || null, { status: response.status, headers });
}

/** Adds the CORS headers to the MCP SDK's answer, keeping any header the SDK set itself. */
function withHeaders(response: Response, extra: Record<string, string>): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(extra)) {
    if (!headers.has(name)) headers.set(name, value);
  }
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

const limitBody = (maxSize: number): MiddlewareHandler<Env> =>
  bodyLimit({
    maxSize,
    onError: () =>
      toResponse(
        new OAuthError('invalid_request', 'The request body is too large', 413).toResponse(),
      ),
  });

/** An answer given before the body was read in full ends the connection (see bodyLeftUnread). */
const closeAfterEarlyAnswer: MiddlewareHandler<Env> = async (c, next) => {
  await next();
  if (bodyLeftUnread(c.env.incoming)) c.res.headers.set('connection', 'close');
};

export function createHonoApp(app: App): Hono<Env> {
  // strict: false accepts a trailing slash on every route, without a redirect.
  const server = new Hono<Env>({ strict: false });
  const { publicUrl } = app.config;
  server.use(closeAfterEarlyAnswer);

  for (const path of app.preflightPaths) {
    server.options(path, async (c) =>
      toResponse(app.preflight(await toCoreRequest(c, publicUrl, false), path)),
    );
  }
  for (const route of app.routes) {
    const handle = async (c: Context<Env>) =>
      toResponse(await route.handle(await toCoreRequest(c, publicUrl, route.method === 'POST')));
    if (route.method === 'GET') {
      server.on('GET', route.paths, handle);
    } else {
      const limit = route.paths.some((path) => path.endsWith('/register'))
        ? BODY_LIMITS.oauth
        : BODY_LIMITS.form;
      server.on('POST', route.paths, limitBody(limit), handle);
    }
  }

  const refuse = (request: CoreRequest, response: CoreResponse) =>
    toResponse({ ...response, headers: { ...app.corsHeaders(request), ...response.headers } });
  // The bearer is checked before the body is read, so a refused caller uploads nothing.
  const admitMcp: MiddlewareHandler<Env> = async (c, next) => {
    const request = await toCoreRequest(c, publicUrl, false);
    const admission = await app.mcp.admit(request);
    if (!admission.ok) return refuse(request, admission.response);
    c.set('auth', admission.auth);
    await next();
  };
  server.all(app.mcpPath, admitMcp, limitBody(BODY_LIMITS.mcp), async (c) => {
    const request = await toCoreRequest(c, publicUrl, true);
    const result = app.mcp.gate(request, c.get('auth'));
    const cors = app.corsHeaders(request);
    if (!result.ok) return refuse(request, result.response);
    const response = await app.mcp.handler.fetch(c.req.raw, {
      authInfo: result.auth,
      parsedBody: result.parsedBody,
    });
    return withHeaders(response, cors);
  });

  server.notFound(() => toResponse(NOT_FOUND));
  server.onError((error) => {
    if (error instanceof UnreadableBodyError) {
      return toResponse(
        new OAuthError('invalid_request', 'The request body could not be read').toResponse(),
      );
    }
    console.error('request failed:', error.stack ?? error.message);
    return toResponse(
      new OAuthError('server_error', 'The server could not complete the request').toResponse(),
    );
  });
  return server;
}

export async function startHttpServer(app: App, options: ListenOptions): Promise<RunningServer> {
  const honoApp = createHonoApp(app);
  const server = serve({
    fetch: honoApp.fetch,
    port: options.port,
    hostname: options.host,
  }) as Server;
  return runningServer(
    server,
    options.host,
    nodeServerLifecycle(server, () => app.close()),
  );
}
