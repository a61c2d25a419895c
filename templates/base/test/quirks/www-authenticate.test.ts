import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, SCOPES } from '../../src/oauth/scopes.js';
import { TOOLS } from '../../src/tools/index.js';
import { parseChallenge } from '../helpers/headers.js';
import { callTool, mcpCall } from '../helpers/mcp.js';
import { grantTokens } from '../helpers/oauth.js';
import { insertGrant } from '../helpers/tokens.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('quirk www-authenticate: 401 and 403 challenges clients can discover and step up from', () => {
  let server: TestServer;
  let prmUrl: string;

  beforeAll(async () => {
    server = await startTestServer();
    prmUrl = `${server.issuer}/.well-known/oauth-protected-resource/mcp`;
  });
  afterAll(() => server.close());

  it('401 without a token: Bearer resource_metadata and the baseline scope, no error', async () => {
    const result = await mcpCall(server.url, undefined, 'tools/list');
    expect(result.status).toBe(401);
    const challenge = parseChallenge(result.headers.get('www-authenticate'));
    expect(challenge.scheme).toBe('Bearer');
    expect(challenge.params).toEqual({ resource_metadata: prmUrl, scope: BASELINE_SCOPE });
  });

  it('the 401 challenge header reads exactly as the reference gives it', async () => {
    const result = await mcpCall(server.url, undefined, 'tools/list');
    expect(result.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${prmUrl}", scope="${BASELINE_SCOPE}"`,
    );
  });

  it('401 with a bad token adds error="invalid_token"', async () => {
    const result = await mcpCall(server.url, 'not-a-real-token', 'tools/list');
    expect(result.status).toBe(401);
    const challenge = parseChallenge(result.headers.get('www-authenticate'));
    expect(challenge.scheme).toBe('Bearer');
    expect(challenge.params).toMatchObject({
      error: 'invalid_token',
      resource_metadata: prmUrl,
      scope: BASELINE_SCOPE,
    });
  });

  it('the resource_metadata URL in the challenge serves the PRM document', async () => {
    const result = await mcpCall(server.url, undefined, 'tools/list');
    const url = new URL(
      parseChallenge(result.headers.get('www-authenticate')).params.resource_metadata!,
    );
    const prm = await fetch(`${server.url}${url.pathname}`);
    expect(prm.status).toBe(200);
    expect(((await prm.json()) as { resource: string }).resource).toBe(server.resource);
  });

  it('a tool call without its scopes is 403 insufficient_scope naming every scope the call needs', async () => {
    const { accessToken: token } = await insertGrant(server, { scopes: [] });
    const whoamiTool = TOOLS.find((tool) => tool.name === 'whoami')!;
    const result = await callTool(server.url, token, 'whoami');
    expect(result.status).toBe(403);
    const challenge = parseChallenge(result.headers.get('www-authenticate'));
    expect(challenge.scheme).toBe('Bearer');
    expect(challenge.params.error).toBe('insufficient_scope');
    expect(challenge.params.resource_metadata).toBe(prmUrl);
    expect(new Set(challenge.params.scope!.split(' '))).toEqual(
      new Set([BASELINE_SCOPE, ...whoamiTool.requiredScopes]),
    );
  });

  for (const tool of TOOLS) {
    const missing = tool.requiredScopes.filter((scope) => scope !== BASELINE_SCOPE);
    if (missing.length === 0) continue;
    it(`a baseline-only token calling ${tool.name} gets 403 with scope="${[BASELINE_SCOPE, ...tool.requiredScopes].join(' ')}"`, async () => {
      const { tokens } = await grantTokens(server, {
        scope: BASELINE_SCOPE,
        consent: { scopes: [BASELINE_SCOPE] },
      });
      const result = await callTool(server.url, tokens.access_token, tool.name, { text: 'hello' });
      expect(result.status).toBe(403);
      const challenge = parseChallenge(result.headers.get('www-authenticate'));
      expect(challenge.params.error).toBe('insufficient_scope');
      expect(new Set(challenge.params.scope!.split(' '))).toEqual(
        new Set([BASELINE_SCOPE, ...tool.requiredScopes]),
      );
    });
  }

  it('a token holding every scope calls every tool', async () => {
    const { tokens } = await grantTokens(server, {
      scope: SCOPES.map((scope) => scope.name).join(' '),
    });
    for (const tool of TOOLS) {
      const result = await callTool(server.url, tokens.access_token, tool.name, { text: 'hello' });
      expect(result.status, `${tool.name}: ${result.text}`).toBe(200);
      expect(result.message?.error, tool.name).toBeUndefined();
    }
  });

  it('tools/list works with the baseline scope alone', async () => {
    const { tokens } = await grantTokens(server, { consent: { scopes: [BASELINE_SCOPE] } });
    const result = await mcpCall(server.url, tokens.access_token, 'tools/list');
    expect(result.status).toBe(200);
    const names = (result.message?.result?.tools as { name: string }[]).map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(TOOLS.map((tool) => tool.name)));
  });
});
