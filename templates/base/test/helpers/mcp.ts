/** Raw MCP Streamable HTTP over fetch: one JSON-RPC request per POST, JSON or SSE answers. */

export const MCP_PROTOCOL_VERSION = '2025-06-18';

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: number | string;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

export interface McpResult {
  status: number;
  headers: Headers;
  text: string;
  /** The JSON-RPC response to our request, when the server answered one. */
  message?: JsonRpcResponse;
}

let nextId = 1;

/** Picks our response out of an SSE stream (`event: message` / `data: {...}` frames) or a JSON body. */
function responseFrom(text: string, contentType: string, id: number): JsonRpcResponse | undefined {
  const payloads = contentType.includes('text/event-stream')
    ? text
        .split(/\r?\n\r?\n/)
        .map((frame) =>
          frame
            .split(/\r?\n/)
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n'),
        )
        .filter((data) => data.length > 0)
    : [text];
  for (const payload of payloads) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      continue;
    }
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      if (message && typeof message === 'object' && (message as JsonRpcResponse).id === id) {
        return message as JsonRpcResponse;
      }
    }
  }
  return undefined;
}

export async function mcpPost(
  serverUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${serverUrl}/mcp`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
      'mcp-protocol-version': MCP_PROTOCOL_VERSION,
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/** One JSON-RPC request to /mcp. `token` undefined sends no Authorization header. */
export async function mcpCall(
  serverUrl: string,
  token: string | undefined,
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<McpResult> {
  const id = nextId++;
  const response = await mcpPost(
    serverUrl,
    { jsonrpc: '2.0', id, method, params },
    { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
  );
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    message: responseFrom(text, response.headers.get('content-type') ?? '', id),
  };
}

export async function initialize(
  serverUrl: string,
  token: string | undefined,
  headers: Record<string, string> = {},
) {
  return mcpCall(
    serverUrl,
    token,
    'initialize',
    {
      protocolVersion: MCP_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'mcp-oauth-test', version: '1.0.0' },
    },
    headers,
  );
}

export async function listTools(serverUrl: string, token: string): Promise<McpResult> {
  return mcpCall(serverUrl, token, 'tools/list');
}

export async function callTool(
  serverUrl: string,
  token: string,
  name: string,
  args: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<McpResult> {
  return mcpCall(serverUrl, token, 'tools/call', { name, arguments: args }, headers);
}

export interface WhoAmI {
  userId: string;
  clientId: string;
  scopes: string[];
}

/** Calls the whoami tool and returns its JSON; throws with the server's answer when it is not a result. */
export async function whoami(
  serverUrl: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<WhoAmI> {
  const result = await callTool(serverUrl, token, 'whoami', {}, headers);
  const content = result.message?.result?.content as { type: string; text: string }[] | undefined;
  const text = content?.find((item) => item.type === 'text')?.text;
  if (result.status !== 200 || !text) {
    throw new Error(`whoami answered ${result.status}: ${result.text.slice(0, 400)}`);
  }
  return JSON.parse(text) as WhoAmI;
}
