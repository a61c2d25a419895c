import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postForm,
  postJson,
  register,
  registerPublicClient,
  revoke,
  type HttpResult,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function expectJsonError(result: HttpResult, status: number, error: string): void {
  expect(result.status, result.text).toBe(status);
  expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  expect(result.headers.get('location')).toBeNull();
  expect(result.json.error).toBe(error);
  expect(result.json.error_description).toEqual(expect.any(String));
}

describe('quirk json-errors: register, token and revoke errors are JSON with the RFC status', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url);
  });
  afterAll(() => server.close());

  it('DCR success is 201 Created with JSON', async () => {
    const result = await register(server.url, {
      client_name: 'x',
      redirect_uris: ['http://127.0.0.1/cb'],
      token_endpoint_auth_method: 'none',
    });
    expect(result.status).toBe(201);
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('DCR without redirect_uris is 400 invalid_redirect_uri', async () => {
    expectJsonError(await register(server.url, { client_name: 'x' }), 400, 'invalid_redirect_uri');
  });

  it('DCR with a bad redirect URI is 400 invalid_redirect_uri', async () => {
    expectJsonError(
      await register(server.url, { redirect_uris: ['javascript:alert(1)'] }),
      400,
      'invalid_redirect_uri',
    );
  });

  it('DCR with unusable metadata is 400 invalid_client_metadata', async () => {
    const result = await register(server.url, {
      redirect_uris: ['http://127.0.0.1/cb'],
      response_types: ['token'],
    });
    expectJsonError(result, 400, 'invalid_client_metadata');
  });

  it('DCR with a body that is not JSON is 400 invalid_request', async () => {
    expectJsonError(
      await postJson(`${server.url}/oauth/register`, '{"redirect_uris": ['),
      400,
      'invalid_request',
    );
  });

  it('token without grant_type is 400 invalid_request', async () => {
    expectJsonError(
      await postForm(`${server.url}/oauth/token`, { client_id: client.client_id }),
      400,
      'invalid_request',
    );
  });

  it('token with an unknown grant_type is 400 unsupported_grant_type', async () => {
    const result = await postForm(`${server.url}/oauth/token`, {
      grant_type: 'password',
      client_id: client.client_id,
    });
    expectJsonError(result, 400, 'unsupported_grant_type');
  });

  it('token with an unknown code is 400 invalid_grant', async () => {
    const result = await postForm(`${server.url}/oauth/token`, {
      grant_type: 'authorization_code',
      client_id: client.client_id,
      code: 'no-such-code',
      code_verifier: 'a'.repeat(43),
      redirect_uri: client.redirect_uris[0],
    });
    expectJsonError(result, 400, 'invalid_grant');
  });

  it('token with an unknown client is 401 invalid_client', async () => {
    const result = await postForm(`${server.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'no-such-client',
      refresh_token: 'x',
    });
    expectJsonError(result, 401, 'invalid_client');
  });

  it('token at the root alias /token answers the same JSON error', async () => {
    expectJsonError(
      await postForm(`${server.url}/token`, { client_id: client.client_id }),
      400,
      'invalid_request',
    );
  });

  it('revoke without a token is 400 invalid_request', async () => {
    expectJsonError(
      await postForm(`${server.url}/oauth/revoke`, { client_id: client.client_id }),
      400,
      'invalid_request',
    );
  });

  it('revoke with an unknown client is 401 invalid_client', async () => {
    const result = await revoke(
      server.url,
      { ...client, client_id: 'no-such-client' },
      'some-token',
    );
    expectJsonError(result, 401, 'invalid_client');
  });

  it('errors are never HTML, even on a GET to a POST-only endpoint', async () => {
    const response = await fetch(`${server.url}/oauth/token`, { redirect: 'manual' });
    expect(response.status).not.toBe(200);
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get('content-type') ?? '').not.toMatch(/html/);
  });
});
