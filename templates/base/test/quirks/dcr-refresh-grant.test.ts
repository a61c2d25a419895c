import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantTokens, refresh, registerClient } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const BASE = {
  client_name: 'Strict client',
  redirect_uris: ['http://127.0.0.1/callback'],
  token_endpoint_auth_method: 'none',
};

describe('quirk dcr-refresh-grant: DCR responses always list refresh_token', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('lists authorization_code and refresh_token when the client asked for neither', async () => {
    const client = await registerClient(server.url, BASE);
    expect(client.grant_types).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token']),
    );
  });

  it('lists refresh_token even when the client asked only for authorization_code', async () => {
    const client = await registerClient(server.url, {
      ...BASE,
      grant_types: ['authorization_code'],
    });
    expect(client.grant_types).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token']),
    );
  });

  it('leaves out grant types the server does not support (VS Code asks for device_code)', async () => {
    const client = await registerClient(server.url, {
      ...BASE,
      grant_types: [
        'authorization_code',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
    });
    expect(client.grant_types).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token']),
    );
    expect(client.grant_types).not.toContain('urn:ietf:params:oauth:grant-type:device_code');
  });

  it('the advertised refresh really works for a client that registered without it', async () => {
    const client = await registerClient(server.url, {
      ...BASE,
      grant_types: ['authorization_code'],
    });
    const { tokens } = await grantTokens(server, { client });
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await refresh(server.url, client, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.access_token).toBeTruthy();
  });
});
