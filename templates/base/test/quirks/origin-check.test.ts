import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool } from '../helpers/mcp.js';
import { grantTokens } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('quirk origin-check: /mcp refuses a request from an Origin that is not allowed (DNS rebinding)', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer();
    token = (await grantTokens(server)).tokens.access_token;
  });
  afterAll(() => server.close());

  it('answers 403 to a foreign Origin even with a valid token', async () => {
    const result = await callTool(
      server.url,
      token,
      'whoami',
      {},
      { origin: 'https://evil.example' },
    );
    expect(result.status).toBe(403);
    expect(result.message?.result).toBeUndefined();
  });

  it('answers 403 to a foreign Origin without a token too', async () => {
    const response = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        origin: 'http://attacker.example:8080',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(403);
  });

  it('answers 403 to Origin: null', async () => {
    const result = await callTool(server.url, token, 'whoami', {}, { origin: 'null' });
    expect(result.status).toBe(403);
  });

  it('lets a request without Origin through (server-side clients)', async () => {
    const result = await callTool(server.url, token, 'whoami');
    expect(result.status).toBe(200);
  });

  it('lets an allowed browser-client Origin through', async () => {
    for (const origin of ['https://claude.ai', 'https://chatgpt.com']) {
      const result = await callTool(server.url, token, 'whoami', {}, { origin });
      expect(result.status, origin).toBe(200);
    }
  });

  it('lets a loopback Origin through (local inspectors)', async () => {
    const result = await callTool(
      server.url,
      token,
      'whoami',
      {},
      { origin: 'http://localhost:6274' },
    );
    expect(result.status).toBe(200);
  });
});

describe('quirk origin-check: follows ALLOWED_ORIGINS', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer({ ALLOWED_ORIGINS: 'https://app.example.com' });
    token = (await grantTokens(server)).tokens.access_token;
  });
  afterAll(() => server.close());

  it('lets a configured Origin through', async () => {
    expect(
      (await callTool(server.url, token, 'whoami', {}, { origin: 'https://app.example.com' }))
        .status,
    ).toBe(200);
  });

  it('refuses a default Origin that the configuration left out', async () => {
    expect(
      (await callTool(server.url, token, 'whoami', {}, { origin: 'https://claude.ai' })).status,
    ).toBe(403);
  });
});
