import { createMcpHandler, type AuthInfo, type McpHttpHandler } from '@modelcontextprotocol/server';
import { authenticateBearer, bearerChallenge } from '../oauth/bearer.js';
import type { OAuthContext } from '../oauth/context.js';
import { isAllowedOrigin } from '../oauth/cors.js';
import { header, jsonResponse, type CoreRequest, type CoreResponse } from '../oauth/http.js';
import { STORE_RETRY_AFTER_SECONDS } from '../oauth/errors.js';
import { BASELINE_SCOPE } from '../oauth/scopes.js';
import { StoreUnavailableError } from '../storage/store.js';
import { TOOLS } from '../tools/index.js';
import { createMcpServer } from './server.js';
import { missingScopes } from './tool.js';

export const MCP_PATH = '/mcp';

/** Who is calling, or the answer that refuses the call. */
export type McpAdmission = { ok: true; auth: AuthInfo } | { ok: false; response: CoreResponse };

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

/** 503 while the store cannot say whether the token is valid: the client retries instead of re-authorizing. */
function storeUnavailable(error: StoreUnavailableError): CoreResponse {
  console.error(`MCP request failed: ${error.message}`);
  return jsonResponse(
    503,
    { error: 'temporarily_unavailable', error_description: 'The server cannot reach its storage' },
    { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) },
  );
}

export interface McpEndpoint {
  /**
   * The Origin and bearer checks, made before the adapter reads the body: a refused caller never gets
   * to upload megabytes (rule bearer-before-body). The request's body is not looked at.
   */
  admit(request: CoreRequest): Promise<McpAdmission>;
  /** With the body read: parses it and checks the scopes its tool calls need. */
  gate(request: CoreRequest, auth: AuthInfo): McpGateResult;
  /** The MCP SDK's web-standard handler; Node adapters wrap it with toNodeHandler. */
  handler: McpHttpHandler;
}

export function createMcpEndpoint(context: OAuthContext): McpEndpoint {
  const handler = createMcpHandler(({ authInfo }) => createMcpServer(authInfo));

  async function admit(request: CoreRequest): Promise<McpAdmission> {
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
    try {
      return await authenticateBearer(request, context);
    } catch (error) {
      if (error instanceof StoreUnavailableError)
        return { ok: false, response: storeUnavailable(error) };
      throw error;
    }
  }

  function gate(request: CoreRequest, auth: AuthInfo): McpGateResult {
    if (request.method !== 'POST') return { ok: true, auth, parsedBody: undefined };
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return {
        ok: false,
        response: jsonRpcError(400, -32700, 'Parse error: the body is not JSON'),
      };
    }
    const denied = insufficientScope(body, auth, context);
    return denied ? { ok: false, response: denied } : { ok: true, auth, parsedBody: body };
  }

  return { admit, gate, handler };
}
