import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeCode,
  authorizeUrl,
  pkcePair,
  randomState,
  register,
  registerClient,
  sharedBrowser,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function registration(redirectUris: string[]) {
  return { client_name: 'Editor', redirect_uris: redirectUris, token_endpoint_auth_method: 'none' };
}

describe('quirk private-use-schemes: one redirect URI validator for DCR and /authorize', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('registers private-use schemes, https and loopback http together (Cursor)', async () => {
    const uris = [
      'cursor://anysphere.cursor-mcp/oauth/callback',
      'vscode://vscode.github-authentication/did-authenticate',
      'https://www.cursor.com/agents/mcp/oauth/callback',
      'http://localhost:8787/callback',
    ];
    const client = await registerClient(server.url, registration(uris));
    expect(client.redirect_uris).toEqual(uris);
  });

  const rejected: [string, string][] = [
    ['http on a non-loopback host', 'http://app.example.com/callback'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['file:', 'file:///etc/passwd'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['blob:', 'blob:https://app.example.com/0b7c2e1c'],
    ['a fragment', 'https://app.example.com/callback#frag'],
    ['a control character', 'https://app.example.com/call\nback'],
    ['a relative URI', '/callback'],
  ];

  for (const [what, uri] of rejected) {
    it(`rejects a redirect URI with ${what} as 400 invalid_redirect_uri`, async () => {
      const result = await register(server.url, registration([uri]));
      expect(result.status).toBe(400);
      expect(result.headers.get('content-type')).toMatch(/^application\/json/);
      expect(result.json.error).toBe('invalid_redirect_uri');
    });
  }

  it('one bad URI fails the whole registration', async () => {
    const result = await register(
      server.url,
      registration(['cursor://anysphere.cursor-mcp/oauth/callback', 'javascript:alert(1)']),
    );
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_redirect_uri');
  });

  it('/authorize redirects to a registered private-use scheme with 302 and the code', async () => {
    const client = await registerClient(
      server.url,
      registration(['cursor://anysphere.cursor-mcp/oauth/callback']),
    );
    const code = await authorizeCode(sharedBrowser(server), client);
    expect(code.location.protocol).toBe('cursor:');
    expect(code.location.href.startsWith('cursor://anysphere.cursor-mcp/oauth/callback?')).toBe(
      true,
    );
  });

  it('/authorize shows a 400 page, never a redirect, for a dangerous redirect_uri', async () => {
    const client = await registerClient(
      server.url,
      registration(['cursor://anysphere.cursor-mcp/oauth/callback']),
    );
    for (const uri of [
      'javascript:alert(1)',
      'data:text/html,x',
      'cursor://anysphere.cursor-mcp/oauth/callback#x',
    ]) {
      const response = await sharedBrowser(server).get(
        authorizeUrl(server.url, {
          response_type: 'code',
          client_id: client.client_id,
          redirect_uri: uri,
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
          state: randomState(),
        }),
      );
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });
});
