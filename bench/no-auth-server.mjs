/**
 * The physical limit of a generated project's stack: the same framework, the same MCP SDK handler and the
 * same tools, mounted the way the generated adapter mounts them, with no auth at all (a fixed AuthInfo).
 *
 * The benchmark copies this file into a built generated project and runs it there, so `express`,
 * `@modelcontextprotocol/server` and `./dist/...` resolve against that project.
 * Usage: node no-auth-server.mjs <express|fastify|hono> <port>
 */
import { createMcpHandler } from '@modelcontextprotocol/server';
import { createMcpServer } from './dist/mcp/server.js';

const [framework, portArgument] = process.argv.slice(2);
const port = Number(portArgument);
const host = '127.0.0.1';
const BODY_LIMIT = 1024 * 1024;

const auth = {
  token: 'no-auth',
  clientId: 'bench-client',
  scopes: ['mcp:read', 'mcp:write'],
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
  resource: new URL(`http://${host}:${port}/mcp`),
  extra: { userId: 'bench-user' },
};

const handler = createMcpHandler(({ authInfo }) => createMcpServer(authInfo));

/** Like the adapters' gate: the body arrives as text and is parsed once, then handed to the SDK. */
function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function startExpress() {
  const { default: express } = await import('express');
  const { toNodeHandler } = await import('@modelcontextprotocol/node');
  const mcpHandler = toNodeHandler(handler);
  const app = express();
  app.disable('x-powered-by');
  app.all('/mcp', express.text({ type: () => true, limit: BODY_LIMIT }), async (req, res) => {
    Object.assign(req, { auth });
    await mcpHandler(req, res, parse(req.body));
  });
  await new Promise((resolve) => app.listen(port, host, resolve));
}

async function startFastify() {
  const { default: Fastify } = await import('fastify');
  const { toNodeHandler } = await import('@modelcontextprotocol/node');
  const mcpHandler = toNodeHandler(handler);
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: '/mcp',
    bodyLimit: BODY_LIMIT,
    handler: async (request, reply) => {
      reply.hijack();
      await mcpHandler(Object.assign(request.raw, { auth }), reply.raw, parse(request.body));
    },
  });
  await app.listen({ host, port });
}

async function startHono() {
  const { Hono } = await import('hono');
  const { bodyLimit } = await import('hono/body-limit');
  const { serve } = await import('@hono/node-server');
  const app = new Hono({ strict: false });
  app.all('/mcp', bodyLimit({ maxSize: BODY_LIMIT }), async (c) => {
    const parsedBody = parse(await c.req.text());
    return handler.fetch(c.req.raw, { authInfo: auth, parsedBody });
  });
  await new Promise((resolve) => serve({ fetch: app.fetch, port, hostname: host }, resolve));
}

const starters = {
  express: startExpress,
  fastify: startFastify,
  hono: startHono,
};
if (!starters[framework]) {
  console.error('usage: node no-auth-server.mjs <express|fastify|hono> <port>');
  process.exit(2);
}
await starters[framework]();
// An orderly exit on SIGTERM, so `node --cpu-prof` writes its profile.
process.once('SIGTERM', () => process.exit(0));
console.log(`no-auth ${framework} MCP server listening on http://${host}:${port}/mcp`);
