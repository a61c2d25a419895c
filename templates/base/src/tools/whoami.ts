import { z } from 'zod';
import { defineTool } from '../mcp/tool.js';
import { BASELINE_SCOPE } from '../oauth/scopes.js';

export const whoami = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description: 'Shows which user and client this connection acts for, and the scopes it holds.',
  requiredScopes: [BASELINE_SCOPE],
  inputSchema: z.object({}),
  run(_input, caller) {
    const identity = { userId: caller.userId, clientId: caller.clientId, scopes: caller.scopes };
    return { content: [{ type: 'text', text: JSON.stringify(identity) }] };
  },
});
