import { createMcpHandler, type AuthInfo, type McpHttpHandler } from '@modelcontextprotocol/server';
import { authenticateBearer, bearerChallenge } from '../oauth/bearer.js';
import type { OAuthContext } from '../oauth/context.js';
import { isAllowedOrigin } from '../oauth/cors.js';
import { header, jsonResponse, type CoreRequest, type CoreResponse } from '../oauth/http.js';
import { BASELINE_SCOPE } from '../oauth/scopes.js';
import { TOOLS } from '../tools/index.js';
import { createMcpServer } from './server.js';
import { missingScopes } from './tool.js';

export const MCP_PATH = '/mcp';

/** Either answer the request here, or hand it to the MCP SDK with the validated auth and parsed body. */
export type McpGateResult =
  { ok: true; auth: AuthInfo; parsedBody: unknown } | { ok: false; response: CoreResponse };

function jsonRpcError(status: number, code: number, message: string): CoreResponse {
  return jsonResponse(status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

interface ToolCallMessage {
  method: 'tools/call';
  params: { name: string };
}

function toolCalls(body: unknown): ToolCallMessage[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.filter(
    (message): message is ToolCallMessage =>
      typeof message === 'object' &&
      message !== null &&
      message.method === 'tools/call' &&
      typeof message.params?.name === 'string',
  );
}

/** 403 insufficient_scope naming every scope the call needs, so the client can step up (quirk www-authenticate). */
function insufficientScope(
  body: unknown,
  auth: AuthInfo,
  context: OAuthContext,
): CoreResponse | undefined {
  const needed = new Set<string>();
  for (const call of toolCalls(body)) {
    const tool = TOOLS.find((candidate) => candidate.name === call.params.name);
    if (tool && missingScopes(tool, auth.scopes).length > 0)
      tool.requiredScopes.forEach((scope) => needed.add(scope));
  }
  if (needed.size === 0) return undefined;
  const scope = [...new Set([BASELINE_SCOPE, ...needed])].join(' ');
  const challenge = bearerChallenge(context.config, {
    error: 'insufficient_scope',
    description: 'This tool needs more permissions',
    scope,
  });
  return jsonResponse(
    403,
    { error: 'insufficient_scope', error_description: `This call needs the scopes: ${scope}` },
    {
      'www-authenticate': challenge,
    },
  );
}

export interface McpEndpoint {
  gate(request: CoreRequest): Promise<McpGateResult>;
  /** The MCP SDK's web-standard handler; Node adapters wrap it with toNodeHandler. */
  handler: McpHttpHandler;
}

export function createMcpEndpoint(context: OAuthContext): McpEndpoint {
  const handler = createMcpHandler(({ authInfo }) => createMcpServer(authInfo));

  async function gate(request: CoreRequest): Promise<McpGateResult> {
    // DNS rebinding protection: a browser page from an origin we do not know must not reach tools.
    const origin = header(request, 'origin');
    if (origin !== undefined && !isAllowedOrigin(origin, context.config)) {
      return {
        ok: false,
        response: jsonResponse(403, {
          error: 'forbidden',
          error_description: 'Origin not allowed',
        }),
      };
    }
    const bearer = await authenticateBearer(request, context);
    if (!bearer.ok) return bearer;
    if (request.method !== 'POST') return { ok: true, auth: bearer.auth, parsedBody: undefined };
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return {
        ok: false,
        response: jsonRpcError(400, -32700, 'Parse error: the body is not JSON'),
      };
    }
    const denied = insufficientScope(body, bearer.auth, context);
    return denied
      ? { ok: false, response: denied }
      : { ok: true, auth: bearer.auth, parsedBody: body };
  }

  return { gate, handler };
}
