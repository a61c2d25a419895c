import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('quirk grant-types-supported: AS metadata has every field strict clients need', () => {
  let server: TestServer;
  let metadata: Record<string, unknown>;

  beforeAll(async () => {
    server = await startTestServer();
    metadata = (await getJson(`${server.url}/.well-known/oauth-authorization-server`)).json;
  });
  afterAll(() => server.close());

  it('response_types_supported is ["code"]', () => {
    expect(metadata.response_types_supported).toEqual(['code']);
  });

  it('grant_types_supported is ["authorization_code","refresh_token"] (VS Code registers device_code otherwise)', () => {
    expect(metadata.grant_types_supported).toEqual(['authorization_code', 'refresh_token']);
  });

  it('code_challenge_methods_supported is ["S256"]', () => {
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('token_endpoint_auth_methods_supported lists client_secret_post, client_secret_basic and none', () => {
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_post', 'client_secret_basic', 'none']),
    );
  });

  it('names every endpoint under the issuer', () => {
    expect(metadata.issuer).toBe(server.issuer);
    expect(metadata.authorization_endpoint).toBe(`${server.issuer}/oauth/authorize`);
    expect(metadata.token_endpoint).toBe(`${server.issuer}/oauth/token`);
    expect(metadata.registration_endpoint).toBe(`${server.issuer}/oauth/register`);
    expect(metadata.revocation_endpoint).toBe(`${server.issuer}/oauth/revoke`);
  });

  it('every advertised endpoint answers (no 404 behind a promise)', async () => {
    for (const field of [
      'authorization_endpoint',
      'token_endpoint',
      'registration_endpoint',
      'revocation_endpoint',
    ]) {
      const url = new URL(metadata[field] as string);
      const response = await fetch(`${server.url}${url.pathname}`, {
        method: 'POST',
        redirect: 'manual',
      });
      expect(response.status, field).not.toBe(404);
      expect(response.status, field).toBeLessThan(500);
    }
  });
});
