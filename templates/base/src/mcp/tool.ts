import type { CallToolResult } from '@modelcontextprotocol/server';
import type { z } from 'zod';

/** Who is calling a tool: taken from the validated access token. */
export interface ToolCaller {
  userId: string;
  clientId: string;
  scopes: string[];
}

/**
 * A tool and the scopes a token needs to call it. A call without them never reaches `run`:
 * the /mcp endpoint answers 403 insufficient_scope so the client can ask the user for more.
 */
export interface ToolDefinition<Input extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  requiredScopes: string[];
  inputSchema: Input;
  run(input: z.infer<Input>, caller: ToolCaller): CallToolResult | Promise<CallToolResult>;
}

export function defineTool<Input extends z.ZodObject>(
  tool: ToolDefinition<Input>,
): ToolDefinition<Input> {
  return tool;
}

export function missingScopes(
  tool: Pick<ToolDefinition, 'requiredScopes'>,
  granted: readonly string[],
): string[] {
  return tool.requiredScopes.filter((scope) => !granted.includes(scope));
}
