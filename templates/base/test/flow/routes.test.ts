import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postForm, postJson } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REGISTRATION = {
  redirect_uris: ['http://127.0.0.1/callback'],
  token_endpoint_auth_method: 'none',
};

describe('flow rule routes: root aliases and trailing slashes answer in place, never with 301/308', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  for (const path of ['/oauth/register', '/register', '/oauth/register/', '/register/']) {
    it(`POST ${path} registers (201)`, async () => {
      const result = await postJson(`${server.url}${path}`, REGISTRATION);
      expect(result.status).toBe(201);
      expect(result.json.client_id).toEqual(expect.any(String));
    });
  }

  for (const path of ['/oauth/token', '/token', '/oauth/token/', '/token/']) {
    it(`POST ${path} is the token endpoint (JSON error for an empty grant)`, async () => {
      const result = await postForm(`${server.url}${path}`, { client_id: 'nobody' });
      expect(result.status).toBe(400);
      expect(result.json.error).toBe('invalid_request');
    });
  }

  for (const path of ['/oauth/revoke', '/revoke', '/oauth/revoke/', '/revoke/']) {
    it(`POST ${path} is the revocation endpoint (401 for an unknown client)`, async () => {
      const result = await postForm(`${server.url}${path}`, { client_id: 'nobody', token: 'x' });
      expect(result.status).toBe(401);
      expect(result.json.error).toBe('invalid_client');
    });
  }

  for (const path of [
    '/.well-known/oauth-authorization-server/',
    '/.well-known/oauth-protected-resource/',
  ]) {
    it(`GET ${path} serves the metadata`, async () => {
      const result = await getJson(`${server.url}${path}`);
      expect(result.status).toBe(200);
    });
  }
});
