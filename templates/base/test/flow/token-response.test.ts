import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/oauth/scopes.js';
import {
  authorizeCode,
  exchangeCode,
  grantTokens,
  refresh,
  registerPublicClient,
  sharedBrowser,
  type HttpResult,
  type TokenResponse,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function expectTokenResponse(result: HttpResult<TokenResponse>): void {
  expect(result.status).toBe(200);
  expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  expect(result.headers.get('cache-control')).toBe('no-store');
  expect(result.headers.get('pragma')).toBe('no-cache');
  expect(result.json).toMatchObject({
    access_token: expect.any(String),
    token_type: 'bearer',
    expires_in: expect.any(Number),
    refresh_token: expect.any(String),
    scope: expect.any(String),
  });
  expect(result.json.scope.length).toBeGreaterThan(0);
}

describe('flow rule token-response: no-store, and always scope, expires_in and refresh_token', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('the code grant response', async () => {
    const client = await registerPublicClient(server.url);
    const code = await authorizeCode(sharedBrowser(server), client);
    expectTokenResponse(await exchangeCode(server.url, client, code));
  });

  it('the refresh grant response', async () => {
    const { client, tokens } = await grantTokens(server);
    expectTokenResponse(await refresh(server.url, client, tokens.refresh_token));
  });

  it('includes scope even when the client did not ask for one', async () => {
    const { tokens } = await grantTokens(server, { scope: undefined });
    expect(tokens.scope.split(' ')).toEqual(expect.arrayContaining([SCOPES[0]!.name]));
  });

  it('issues a refresh token without offline_access being requested', async () => {
    const { tokens } = await grantTokens(server, { scope: SCOPES[0]!.name });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('error responses are not cacheable either', async () => {
    const client = await registerPublicClient(server.url);
    const result = await refresh(server.url, client, 'nope');
    expect(result.status).toBe(400);
    expect(result.headers.get('cache-control')).toBe('no-store');
  });
});
