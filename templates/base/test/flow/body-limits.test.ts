import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpPost } from '../helpers/mcp.js';
import {
  grantTokens,
  postForm,
  postJson,
  readResult,
  register,
  registerPublicClient,
  type HttpResult,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function expectTooLarge(result: HttpResult): void {
  expect([400, 413]).toContain(result.status);
  expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  expect(result.json.error).toEqual(expect.any(String));
}

function expectInvalidRequest(result: HttpResult): void {
  expect(result.status, result.text).toBe(400);
  expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  expect(result.json.error).toBe('invalid_request');
}

describe('flow rule body-limits: bounded bodies, and malformed ones are 400 invalid_request, never 500', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('DCR accepts a 60 KB registration', async () => {
    const result = await register(server.url, {
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'none',
      software_statement_padding: 'x'.repeat(60 * 1024),
    });
    expect(result.status).toBe(201);
  });

  it('DCR refuses a 65 KB body as JSON', async () => {
    const result = await register(server.url, {
      redirect_uris: ['http://127.0.0.1/callback'],
      padding: 'x'.repeat(65 * 1024),
    });
    expectTooLarge(result);
  });

  it('the token endpoint refuses a form over 16 KB as JSON', async () => {
    expectTooLarge(
      await postForm(`${server.url}/oauth/token`, {
        grant_type: 'refresh_token',
        refresh_token: 'x'.repeat(17 * 1024),
      }),
    );
  });

  it('the revocation endpoint refuses a form over 16 KB as JSON', async () => {
    expectTooLarge(await postForm(`${server.url}/oauth/revoke`, { token: 'x'.repeat(17 * 1024) }));
  });

  it('the login POST refuses a form over 16 KB without a 500', async () => {
    const response = await fetch(`${server.url}/oauth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: `email=a%40example.com&password=${'x'.repeat(17 * 1024)}`,
    });
    expect([400, 413]).toContain(response.status);
  });

  it('malformed JSON at DCR is 400 invalid_request', async () => {
    expectInvalidRequest(
      await postJson(`${server.url}/oauth/register`, '{"redirect_uris": ["http://127.0.0.1/cb"'),
    );
  });

  it('a JSON body that is not an object at DCR is 400 invalid_request', async () => {
    expectInvalidRequest(await postJson(`${server.url}/oauth/register`, '["http://127.0.0.1/cb"]'));
  });

  it('a form body at DCR is 400 invalid_request', async () => {
    expectInvalidRequest(
      await postForm(`${server.url}/oauth/register`, { redirect_uris: 'http://127.0.0.1/cb' }),
    );
  });

  it('a JSON body at the token endpoint is 400 invalid_request', async () => {
    const client = await registerPublicClient(server.url);
    expectInvalidRequest(
      await postJson(`${server.url}/oauth/token`, {
        grant_type: 'refresh_token',
        client_id: client.client_id,
      }),
    );
  });

  it('broken percent-encoding at the token endpoint is 400 invalid_request', async () => {
    const response = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=%E0%A4%A&client_id=%zz',
    });
    expectInvalidRequest(await readResult(response));
  });

  it('a repeated parameter at the token endpoint is 400 invalid_request', async () => {
    const client = await registerPublicClient(server.url);
    const result = await postForm(`${server.url}/oauth/token`, [
      ['grant_type', 'refresh_token'],
      ['grant_type', 'authorization_code'],
      ['client_id', client.client_id],
    ]);
    expectInvalidRequest(result);
  });

  it('malformed JSON at /mcp is a 400 JSON-RPC parse error', async () => {
    const { tokens } = await grantTokens(server);
    const response = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: '{"jsonrpc": "2.0", "id": 1, "method": ',
    });
    const result = await readResult<{ error?: { code: number } }>(response);
    expect(result.status).toBe(400);
    expect(result.json.error?.code).toBe(-32700);
  });

  it('an /mcp body over 4 MB is refused with 413', async () => {
    const { tokens } = await grantTokens(server);
    const response = await mcpPost(
      server.url,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'whoami', arguments: { padding: 'x'.repeat(4 * 1024 * 1024 + 1) } },
      },
      { authorization: `Bearer ${tokens.access_token}` },
    );
    await response.body?.cancel();
    expect(response.status).toBe(413);
  });
});
