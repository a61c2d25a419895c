import { toNodeHandler } from '@modelcontextprotocol/node';
import type { AuthInfo } from '@modelcontextprotocol/server';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { App } from '../app.js';
import { OAuthError } from '../oauth/errors.js';
import { BODY_LIMITS, type CoreRequest, type CoreResponse } from '../oauth/http.js';
import {
  bodyLeftUnread,
  runningServer,
  type ListenOptions,
  type RunningServer,
} from './running-server.js';

/** The Fastify adapter: mounts the app's routes and converts requests and responses. Nothing else. */

const NOT_FOUND: CoreResponse = {
  status: 404,
  headers: { 'content-type': 'application/json' },
  body: '{"error":"not_found"}',
};

function toCoreRequest(request: FastifyRequest, publicUrl: string): CoreRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: request.method,
    url: new URL(request.url, publicUrl),
    headers,
    body: typeof request.body === 'string' ? request.body : '',
    remoteAddress: request.socket.remoteAddress ?? '',
  };
}

function send(reply: FastifyReply, response: CoreResponse): FastifyReply {
  reply.code(response.status).headers(response.headers);
  if (bodyLeftUnread(reply.request.raw)) reply.header('connection', 'close');
  if (response.cookies?.length) reply.header('set-cookie', response.cookies);
  // Bytes, so Fastify sends the core's content type as it is (it adds a charset to JSON strings and labels
  // other strings text/plain); no payload at all for redirects and 204s, which have no type.
  return reply.send(response.body ? Buffer.from(response.body) : undefined);
}

/** The app's routes, with a body parser of their own: unknown paths answer 404 without reading the body. */
function appRoutes(app: App): FastifyPluginAsync {
  return async (instance) => {
    // Raw text of any content type (or none), so the OAuth core parses every body the same way on every framework.
    instance.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    const { publicUrl } = app.config;

    for (const path of app.preflightPaths) {
      instance.options(path, async (request, reply) =>
        send(reply, app.preflight(toCoreRequest(request, publicUrl), path)),
      );
    }
    for (const route of app.routes) {
      const bodyLimit = route.paths.some((path) => path.endsWith('/register'))
        ? BODY_LIMITS.oauth
        : BODY_LIMITS.form;
      for (const path of route.paths) {
        instance.route({
          method: route.method,
          url: path,
          bodyLimit,
          handler: async (request, reply) =>
            send(reply, await route.handle(toCoreRequest(request, publicUrl))),
        });
      }
    }

    const mcpHandler = toNodeHandler(app.mcp.handler);
    const refuse = (reply: FastifyReply, request: CoreRequest, response: CoreResponse) =>
      send(reply, { ...response, headers: { ...app.corsHeaders(request), ...response.headers } });
    const callers = new WeakMap<FastifyRequest, AuthInfo>();
    instance.route({
      // Every method but OPTIONS, which the preflight route answers; the MCP SDK answers the methods it does not serve.
      method: instance.supportedMethods.filter((method) => method !== 'OPTIONS'),
      url: app.mcpPath,
      bodyLimit: BODY_LIMITS.mcp,
      // The bearer is checked before the body is read, so a refused caller uploads nothing.
      onRequest: async (request, reply) => {
        const coreRequest = toCoreRequest(request, publicUrl);
        const admission = await app.mcp.admit(coreRequest);
        if (!admission.ok) return refuse(reply, coreRequest, admission.response);
        callers.set(request, admission.auth);
      },
      handler: async (request, reply) => {
        const coreRequest = toCoreRequest(request, publicUrl);
        const result = app.mcp.gate(coreRequest, callers.get(request)!);
        if (!result.ok) return refuse(reply, coreRequest, result.response);
        // The MCP SDK writes the (possibly streamed) answer to the Node response itself.
        reply.hijack();
        for (const [name, value] of Object.entries(app.corsHeaders(coreRequest)))
          reply.raw.setHeader(name, value);
        await mcpHandler(
          Object.assign(request.raw, { auth: result.auth }),
          reply.raw,
          result.parsedBody,
        );
      },
    });
  };
}

function errorResponse(error: FastifyError): CoreResponse {
  // A path that is not valid percent-encoding names no route.
  if (error.code === 'FST_ERR_BAD_URL') return NOT_FOUND;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new OAuthError('invalid_request', 'The request body is too large', 413).toResponse();
  }
  // Only reading the request fails with a 4xx: a broken or aborted body, a wrong content length or media type.
  if (error.statusCode !== undefined && error.statusCode < 500) {
    return new OAuthError('invalid_request', 'The request body could not be read').toResponse();
  }
  console.error('request failed:', error.stack ?? error.message);
  return new OAuthError('server_error', 'The server could not complete the request').toResponse();
}

export function createFastifyApp(app: App): FastifyInstance {
  const server = Fastify({
    routerOptions: { ignoreTrailingSlash: true },
    // close() ends idle keep-alive connections; runningServer() ends busy ones (at once, or after a drain).
    forceCloseConnections: 'idle',
    // Requests that still arrive on open connections while the server stops get the app's own answers.
    return503OnClosing: false,
    // Errors Fastify meets before routing (a path that cannot be decoded) get the same answers as the rest.
    frameworkErrors: (error, _request, reply) => send(reply, errorResponse(error)),
  });
  server.removeAllContentTypeParsers();
  server.setNotFoundHandler(async (_request, reply) => send(reply, NOT_FOUND));
  server.setErrorHandler(async (error: FastifyError, _request, reply) =>
    send(reply, errorResponse(error)),
  );
  server.addHook('onClose', () => app.close());
  server.register(appRoutes(app));
  return server;
}

export async function startHttpServer(app: App, options: ListenOptions): Promise<RunningServer> {
  const server = createFastifyApp(app);
  await server.listen({ host: options.host, port: options.port });
  // Fastify's close() waits for open connections, then its onClose hook releases the app.
  return runningServer(server.server, options.host, {
    stop: () => server.close(),
    release: async () => {},
  });
}
