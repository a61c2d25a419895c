/**
 * Stage mcp (--login): the token the server issued opens /mcp — initialize, tools/list — whatever the case
 * of the scheme, and with a DPoP header it does not implement.
 */
import { asJson, recorder, type CheckContext } from './context.js';
import type { Exchange } from './http.js';
import { MCP_ACCEPT, MCP_PROTOCOL_VERSION, initializeRequest, initializedNotification, jsonRpcMessage, toolsListRequest } from './mcp-messages.js';

const STAGE = 'mcp';

export interface McpTool {
  name: string;
  /** Names of required arguments: calling without them cannot run the tool. */
  required: string[];
}

export async function mcpRequest(
  context: CheckContext,
  accessToken: string,
  message: unknown,
  options: { sessionId?: string; scheme?: string; headers?: Record<string, string> } = {},
): Promise<{ exchange: Exchange; message?: Record<string, unknown> }> {
  const exchange = await context.http.request(context.target.href, {
    json: message,
    headers: {
      accept: MCP_ACCEPT,
      authorization: `${options.scheme ?? 'Bearer'} ${accessToken}`,
      'mcp-protocol-version': MCP_PROTOCOL_VERSION,
      ...(options.sessionId ? { 'mcp-session-id': options.sessionId } : {}),
      ...options.headers,
    },
  });
  const reply = jsonRpcMessage(exchange.answer.text, exchange.answer.headers.get('content-type'));
  return { exchange, ...(reply ? { message: reply } : {}) };
}

/** initialize → initialized → tools/list with one token; the tools, or undefined when /mcp refused. */
export async function openSession(context: CheckContext, accessToken: string): Promise<{ ok: boolean; exchange: Exchange; tools?: McpTool[] }> {
  const init = await mcpRequest(context, accessToken, initializeRequest());
  if (init.exchange.answer.status !== 200 || !asJson(init.message?.result)) return { ok: false, exchange: init.exchange };
  const sessionId = init.exchange.answer.headers.get('mcp-session-id') ?? undefined;
  await mcpRequest(context, accessToken, initializedNotification, { ...(sessionId ? { sessionId } : {}) });
  const list = await mcpRequest(context, accessToken, toolsListRequest(), { ...(sessionId ? { sessionId } : {}) });
  const tools = asJson(list.message?.result)?.tools;
  if (!Array.isArray(tools)) return { ok: false, exchange: list.exchange };
  return {
    ok: true,
    exchange: list.exchange,
    tools: tools.map((tool) => ({
      name: String((tool as { name?: unknown }).name),
      required: ((tool as { inputSchema?: { required?: unknown } }).inputSchema?.required as string[] | undefined) ?? [],
    })),
  };
}

export async function runMcp(context: CheckContext): Promise<McpTool[] | undefined> {
  const r = recorder(context, STAGE);
  const session = context.login;
  if (!session) {
    r.notCheckable({ id: 'mcp-initialize', title: '/mcp with a token', detail: 'no token: run with --login' });
    return undefined;
  }
  const opened = await openSession(context, session.tokens.accessToken);
  r.check(opened.ok, {
    id: 'mcp-initialize',
    title: '/mcp answers initialize and tools/list for the issued token',
    problem: `answered ${opened.exchange.answer.status}`,
    evidence: opened.exchange,
  });
  if (!opened.ok) return undefined;
  const lower = await mcpRequest(context, session.tokens.accessToken, initializeRequest(), { scheme: 'bearer' });
  r.check(lower.exchange.answer.status === 200, {
    id: 'bearer-case',
    title: 'Authorization: bearer <token> (lowercase scheme) is accepted',
    problem: `answered ${lower.exchange.answer.status}`,
    evidence: lower.exchange,
  });
  const dpop = await mcpRequest(context, session.tokens.accessToken, initializeRequest(), {
    headers: { dpop: 'eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.c2lnbmF0dXJl' },
  });
  r.check(dpop.exchange.answer.status === 200, {
    id: 'dpop-tolerant',
    title: 'a DPoP header beside a bearer token does not break /mcp',
    problem: `answered ${dpop.exchange.answer.status}`,
    evidence: dpop.exchange,
  });
  r.notCheckable({
    id: 'audience-bound',
    title: '/mcp refuses tokens issued for another resource',
    detail: 'needs a token for another resource from this server; covered by the generated suite',
  });
  return opened.tools;
}
