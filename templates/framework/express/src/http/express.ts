import { toNodeHandler } from '@modelcontextprotocol/node';
import type { AuthInfo } from '@modelcontextprotocol/server';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
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

/** The Express adapter: mounts the app's routes and converts requests and responses. Nothing else. */

function toCoreRequest(req: Request, publicUrl: string): CoreRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method,
    url: new URL(req.originalUrl, publicUrl),
    headers,
    body: typeof req.body === 'string' ? req.body : '',
    remoteAddress: req.socket.remoteAddress ?? '',
  };
}

function send(res: Response, response: CoreResponse): void {
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (bodyLeftUnread(res.req)) res.setHeader('connection', 'close');
  if (response.cookies?.length) res.setHeader('set-cookie', response.cookies);
  res.status(response.status).end(response.body ?? '');
}

const tooLarge = () =>
  new OAuthError('invalid_request', 'The request body is too large', 413).toResponse();

/**
 * Raw text of any content type, so the OAuth core parses every body the same way on every framework.
 * A Content-Length over the limit is refused at once: body-parser would first read (and drop) all of it.
 */
const rawBody = (limit: number): RequestHandler[] => [
  (req, res, next) =>
    Number(req.headers['content-length']) > limit ? send(res, tooLarge()) : next(),
  express.text({ type: () => true, limit }),
];

function bodyErrorHandler(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') {
    send(res, tooLarge());
  } else if (typeof type === 'string') {
    send(res, new OAuthError('invalid_request', 'The request body could not be read').toResponse());
  } else {
    next(error);
  }
}

export function createExpressApp(app: App): express.Express {
  const server = express();
  server.disable('x-powered-by');
  // Paths are case-sensitive (RFC 3986), as on the Fastify and Hono adapters.
  server.enable('case sensitive routing');
  const { publicUrl } = app.config;

  for (const path of app.preflightPaths) {
    server.options(path, (req, res) =>
      send(res, app.preflight(toCoreRequest(req, publicUrl), path)),
    );
  }
  for (const route of app.routes) {
    const limit = route.paths.some((path) => path.endsWith('/register'))
      ? BODY_LIMITS.oauth
      : BODY_LIMITS.form;
    const handlers = route.method === 'POST' ? rawBody(limit) : [];
    const handle: RequestHandler = async (req, res) =>
      send(res, await route.handle(toCoreRequest(req, publicUrl)));
    server[route.method === 'GET' ? 'get' : 'post'](route.paths, ...handlers, handle);
  }

  const mcpHandler = toNodeHandler(app.mcp.handler);
  const refuse = (res: Response, request: CoreRequest, response: CoreResponse) =>
    send(res, { ...response, headers: { ...app.corsHeaders(request), ...response.headers } });
  // The bearer is checked before the body is read, so a refused caller uploads nothing.
  const admitMcp: RequestHandler = async (req, res, next) => {
    const request = toCoreRequest(req, publicUrl);
    const admission = await app.mcp.admit(request);
    if (!admission.ok) return refuse(res, request, admission.response);
    res.locals.auth = admission.auth;
    next();
  };
  server.all(app.mcpPath, admitMcp, ...rawBody(BODY_LIMITS.mcp), async (req, res) => {
    const request = toCoreRequest(req, publicUrl);
    const result = app.mcp.gate(request, res.locals.auth as AuthInfo);
    if (!result.ok) return refuse(res, request, result.response);
    for (const [name, value] of Object.entries(app.corsHeaders(request)))
      res.setHeader(name, value);
    Object.assign(req, { auth: result.auth });
    await mcpHandler(req, res, result.parsedBody);
  });

  server.use((_req, res) =>
    send(res, {
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: '{"error":"not_found"}',
    }),
  );
  server.use(bodyErrorHandler);
  server.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    console.error(
      'request failed:',
      error instanceof Error ? (error.stack ?? error.message) : error,
    );
    if (res.headersSent) return res.end();
    send(
      res,
      new OAuthError('server_error', 'The server could not complete the request').toResponse(),
    );
  });
  return server;
}

export async function startHttpServer(app: App, options: ListenOptions): Promise<RunningServer> {
  const server = createExpressApp(app).listen(options.port, options.host);
  return runningServer(
    server,
    options.host,
    nodeServerLifecycle(server, () => app.close()),
  );
}
