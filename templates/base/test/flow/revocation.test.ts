import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, whoami } from '../helpers/mcp.js';
import {
  grantTokens,
  postForm,
  refresh,
  registerClient,
  registerPublicClient,
  revoke,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('flow rule revocation: RFC 7009', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('revoking a refresh token revokes its whole grant', async () => {
    const { client, tokens } = await grantTokens(server);
    const result = await revoke(server.url, client, tokens.refresh_token, 'refresh_token');
    expect(result.status).toBe(200);
    expect((await callTool(server.url, tokens.access_token, 'whoami')).status).toBe(401);
    const again = await refresh(server.url, client, tokens.refresh_token);
    expect(again.status).toBe(400);
    expect(again.json.error).toBe('invalid_grant');
  });

  it('revoking an access token stops it at /mcp', async () => {
    const { client, tokens } = await grantTokens(server);
    expect((await revoke(server.url, client, tokens.access_token, 'access_token')).status).toBe(
      200,
    );
    expect((await callTool(server.url, tokens.access_token, 'whoami')).status).toBe(401);
  });

  it('finds the token even when token_type_hint is wrong', async () => {
    const { client, tokens } = await grantTokens(server);
    expect((await revoke(server.url, client, tokens.refresh_token, 'access_token')).status).toBe(
      200,
    );
    expect((await refresh(server.url, client, tokens.refresh_token)).json.error).toBe(
      'invalid_grant',
    );
  });

  it('works without token_type_hint', async () => {
    const { client, tokens } = await grantTokens(server);
    expect((await revoke(server.url, client, tokens.access_token)).status).toBe(200);
    expect((await callTool(server.url, tokens.access_token, 'whoami')).status).toBe(401);
  });

  it('answers 200 for an unknown token', async () => {
    const client = await registerPublicClient(server.url);
    const result = await revoke(server.url, client, 'never-issued-token');
    expect(result.status).toBe(200);
  });

  it('answers 200 for a token that is already revoked', async () => {
    const { client, tokens } = await grantTokens(server);
    await revoke(server.url, client, tokens.refresh_token);
    expect((await revoke(server.url, client, tokens.refresh_token)).status).toBe(200);
  });

  it("a client cannot revoke another client's tokens (200, and the token keeps working)", async () => {
    const { client, tokens } = await grantTokens(server);
    const other = await registerPublicClient(server.url);
    expect((await revoke(server.url, other, tokens.access_token)).status).toBe(200);
    expect((await revoke(server.url, other, tokens.refresh_token)).status).toBe(200);
    await whoami(server.url, tokens.access_token);
    expect((await refresh(server.url, client, tokens.refresh_token)).status).toBe(200);
  });

  it('a confidential client must authenticate: a wrong secret is 401 invalid_client and revokes nothing', async () => {
    const client = await registerClient(server.url, {
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    const { tokens } = await grantTokens(server, { client });
    const result = await revoke(
      server.url,
      { ...client, client_secret: 'wrong' },
      tokens.refresh_token,
    );
    expect(result.status).toBe(401);
    expect(result.json.error).toBe('invalid_client');
    await whoami(server.url, tokens.access_token);
  });

  it('the root alias /revoke works the same', async () => {
    const { client, tokens } = await grantTokens(server);
    const result = await postForm(`${server.url}/revoke`, {
      client_id: client.client_id,
      token: tokens.refresh_token,
    });
    expect(result.status).toBe(200);
    expect((await callTool(server.url, tokens.access_token, 'whoami')).status).toBe(401);
  });
});
