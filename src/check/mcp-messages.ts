/** The JSON-RPC messages the checker sends to /mcp, and a reader for JSON or SSE answers. */
export const MCP_PROTOCOL_VERSION = '2025-11-25';

export const MCP_ACCEPT = 'application/json, text/event-stream';

export function initializeRequest(id = 1) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion: MCP_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'create-mcp-oauth-server check', version: '1' },
    },
  };
}

export const initializedNotification = { jsonrpc: '2.0', method: 'notifications/initialized' };

export function toolsListRequest(id = 2) {
  return { jsonrpc: '2.0', id, method: 'tools/list', params: {} };
}

export function toolCallRequest(name: string, id = 3) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } };
}

/** The JSON-RPC message in a JSON body or in the first `data:` line of an SSE body. */
export function jsonRpcMessage(text: string, contentType: string | null): Record<string, unknown> | undefined {
  const candidates = /event-stream/i.test(contentType ?? '')
    ? [...text.matchAll(/^data:\s?(.*)$/gm)].map((match) => match[1]!)
    : [text];
  for (const candidate of candidates) {
    try {
      const message = JSON.parse(candidate);
      if (typeof message === 'object' && message !== null && 'jsonrpc' in message) return message;
    } catch {
      // not this line
    }
  }
  return undefined;
}
