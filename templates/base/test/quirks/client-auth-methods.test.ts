import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whoami } from '../helpers/mcp.js';
import {
  authorizeCode,
  exchangeCode,
  grantTokens,
  postForm,
  refresh,
  register,
  registerClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

function metadata(method: string) {
  return {
    client_name: `Client using ${method}`,
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: method,
  };
}

describe('quirk client-auth-methods: client_secret_post, client_secret_basic and none', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  for (const method of ['client_secret_post', 'client_secret_basic', 'none']) {
    it(`DCR echoes the registration for ${method}`, async () => {
      const client = await registerClient(server.url, metadata(method));
      expect(client.client_id).toEqual(expect.any(String));
      expect(client.token_endpoint_auth_method).toBe(method);
      expect(client.redirect_uris).toEqual([REDIRECT]);
      expect(client.grant_types).toEqual(
        expect.arrayContaining(['authorization_code', 'refresh_token']),
      );
      expect(client.response_types).toEqual(['code']);
      expect(Number.isInteger(client.client_id_issued_at)).toBe(true);
      expect(Math.abs(client.client_id_issued_at - Date.now() / 1000)).toBeLessThan(60);
    });

    it(`a ${method} client completes the code and refresh grants authenticating its way`, async () => {
      const client = await registerClient(server.url, metadata(method));
      const { tokens } = await grantTokens(server, { client });
      expect((await whoami(server.url, tokens.access_token)).clientId).toBe(client.client_id);
      const refreshed = await refresh(server.url, client, tokens.refresh_token);
      expect(refreshed.status).toBe(200);
    });
  }

  it('a confidential client gets a secret; a public ("none") client gets none at all', async () => {
    const confidential = await registerClient(server.url, metadata('client_secret_post'));
    expect(confidential.client_secret).toEqual(expect.any(String));
    expect(confidential.client_secret!.length).toBeGreaterThanOrEqual(32);
    const publicClient = await registerClient(server.url, metadata('none'));
    expect(publicClient).not.toHaveProperty('client_secret');
    expect(publicClient).not.toHaveProperty('client_secret_expires_at');
  });

  it('a wrong client_secret is 401 invalid_client', async () => {
    const client = await registerClient(server.url, metadata('client_secret_post'));
    const code = await authorizeCode(sharedBrowser(server), client);
    const result = await exchangeCode(
      server.url,
      { ...client, client_secret: 'wrong-secret' },
      code,
    );
    expect(result.status).toBe(401);
    expect(result.json.error).toBe('invalid_client');
  });

  it('a wrong secret in HTTP Basic is 401 invalid_client', async () => {
    const client = await registerClient(server.url, metadata('client_secret_basic'));
    const code = await authorizeCode(sharedBrowser(server), client);
    const result = await exchangeCode(
      server.url,
      { ...client, client_secret: 'wrong-secret' },
      code,
    );
    expect(result.status).toBe(401);
    expect(result.json.error).toBe('invalid_client');
  });

  it('a confidential client that sends no secret is 401 invalid_client', async () => {
    const client = await registerClient(server.url, metadata('client_secret_post'));
    const code = await authorizeCode(sharedBrowser(server), client);
    const result = await postForm(`${server.url}/oauth/token`, {
      grant_type: 'authorization_code',
      client_id: client.client_id,
      code: code.code,
      code_verifier: code.verifier,
      redirect_uri: code.redirectUri,
    });
    expect(result.status).toBe(401);
    expect(result.json.error).toBe('invalid_client');
  });

  it('an unknown client_id is 401 invalid_client', async () => {
    const ghost: RegisteredClient = {
      ...(await registerClient(server.url, metadata('none'))),
      client_id: 'no-such-client',
    };
    const result = await refresh(server.url, ghost, 'whatever');
    expect(result.status).toBe(401);
    expect(result.json.error).toBe('invalid_client');
  });

  it('refuses an auth method it does not support with invalid_client_metadata', async () => {
    const result = await register(server.url, metadata('private_key_jwt'));
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_client_metadata');
  });
});
