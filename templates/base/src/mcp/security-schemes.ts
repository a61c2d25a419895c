import type { ToolDefinition } from './tool.js';

/** One entry of a tool's `securitySchemes` (OpenAI Apps SDK; MCP SEP-1488). */
export interface SecurityScheme {
  type: 'oauth2' | 'noauth';
  scopes?: string[];
}

/**
 * What a tool declares about its authentication (quirk chatgpt-security-schemes): ChatGPT reads
 * from each tool descriptor whether it needs OAuth and which scopes, and links the account before
 * the call. Every tool here needs a token, so none is `noauth`.
 */
export function securitySchemes(tool: Pick<ToolDefinition, 'requiredScopes'>): SecurityScheme[] {
  return [{ type: 'oauth2', scopes: [...tool.requiredScopes] }];
}
