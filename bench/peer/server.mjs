/**
 * The peer: MCP SDK v1's own OAuth stack on Express — mcpAuthRouter (DCR, authorize, token, revoke) and
 * requireBearerAuth in front of a stateless Streamable HTTP endpoint serving the same whoami tool.
 * The provider is the SDK's DemoInMemoryAuthProvider (auto-approves, in-memory maps) plus refresh tokens,
 * which the demo leaves unimplemented; rotation is strict (a used refresh token is gone).
 * Usage: node server.mjs <port>   (run from the directory bench/peer/package.json was installed in)
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import { z } from 'zod';
import { DemoInMemoryAuthProvider } from '@modelcontextprotocol/sdk/examples/server/demoInMemoryOAuthProvider.js';
import { mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

const port = Number(process.argv[2]);
const baseUrl = new URL(`http://127.0.0.1:${port}`);
const ACCESS_TOKEN_SECONDS = 3600;

class RefreshingProvider extends DemoInMemoryAuthProvider {
  refreshTokens = new Map();

  issue(clientId, scopes, resource) {
    const accessToken = randomUUID();
    this.tokens.set(accessToken, {
      token: accessToken,
      clientId,
      scopes,
      expiresAt: Date.now() + ACCESS_TOKEN_SECONDS * 1000,
      resource,
      type: 'access',
    });
    const refreshToken = randomUUID();
    this.refreshTokens.set(refreshToken, { clientId, scopes, resource });
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
      refresh_token: refreshToken,
      scope: scopes.join(' '),
    };
  }

  async exchangeAuthorizationCode(client, code) {
    const data = this.codes.get(code);
    if (!data || data.client.client_id !== client.client_id)
      throw new Error('Invalid authorization code');
    this.codes.delete(code);
    return this.issue(client.client_id, data.params.scopes ?? [], data.params.resource);
  }

  async exchangeRefreshToken(client, refreshToken) {
    const data = this.refreshTokens.get(refreshToken);
    if (!data || data.clientId !== client.client_id) throw new Error('Invalid refresh token');
    this.refreshTokens.delete(refreshToken);
    return this.issue(data.clientId, data.scopes, data.resource);
  }
}

function createMcpServer(authInfo) {
  const server = new McpServer({ name: 'peer', version: '0.1.0' });
  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description: 'Shows which user and client this connection acts for, and the scopes it holds.',
      inputSchema: z.object({}),
    },
    () => {
      const identity = {
        userId: 'demo_user',
        clientId: authInfo.clientId,
        scopes: authInfo.scopes,
      };
      return { content: [{ type: 'text', text: JSON.stringify(identity) }] };
    },
  );
  return server;
}

const provider = new RefreshingProvider();
const app = express();
app.disable('x-powered-by');
app.use(
  mcpAuthRouter({
    provider,
    issuerUrl: baseUrl,
    scopesSupported: ['mcp:read', 'mcp:write'],
    authorizationOptions: { rateLimit: false },
    tokenOptions: { rateLimit: false },
    clientRegistrationOptions: { rateLimit: false },
    revocationOptions: { rateLimit: false },
  }),
);
app.post('/mcp', requireBearerAuth({ verifier: provider }), express.json(), async (req, res) => {
  // The SDK's stateless pattern: a fresh server and transport per request; answers as SSE, like ours.
  const server = createMcpServer(req.auth);
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
  });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
app.listen(port, '127.0.0.1', () => console.log(`peer MCP server listening on ${baseUrl.href}mcp`));
