import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, SCOPES } from '../../src/oauth/scopes.js';
import { TOOLS } from '../../src/tools/index.js';
import { listTools } from '../helpers/mcp.js';
import { grantTokens } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface ListedTool {
  name: string;
  _meta?: { securitySchemes?: unknown };
}

describe('quirk chatgpt-security-schemes: each tool declares the OAuth scopes it needs', () => {
  let server: TestServer;
  let tools: ListedTool[];

  beforeAll(async () => {
    server = await startTestServer();
    const { tokens } = await grantTokens(server, {
      scope: SCOPES.map((scope) => scope.name).join(' '),
    });
    const listed = await listTools(server.url, tokens.access_token);
    expect(listed.status).toBe(200);
    tools = listed.message?.result?.tools as ListedTool[];
  });
  afterAll(() => server.close());

  it('quirk chatgpt-security-schemes: tools/list gives every tool securitySchemes [{ type: "oauth2", scopes }]', () => {
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS.map((tool) => tool.name).sort());
    for (const tool of TOOLS) {
      const listed = tools.find((candidate) => candidate.name === tool.name);
      expect(listed?._meta?.securitySchemes, tool.name).toEqual([
        { type: 'oauth2', scopes: tool.requiredScopes },
      ]);
    }
  });

  it('quirk chatgpt-security-schemes: no tool claims to work without a token, since /mcp needs one', () => {
    for (const tool of tools) {
      expect(JSON.stringify(tool._meta?.securitySchemes)).not.toContain('noauth');
    }
  });

  it('quirk chatgpt-security-schemes: the scopes declared are scopes the server offers, baseline included', () => {
    const offered = new Set(SCOPES.map((scope) => scope.name));
    const declared = tools.flatMap(
      (tool) => (tool._meta?.securitySchemes as { scopes: string[] }[])[0]!.scopes,
    );
    expect(declared).toContain(BASELINE_SCOPE);
    for (const scope of declared) expect(offered.has(scope), scope).toBe(true);
  });
});
