import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whoami } from '../helpers/mcp.js';
import {
  authorizeCode,
  getJson,
  postForm,
  postJson,
  sharedBrowser,
  type RegisteredClient,
  type TokenResponse,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECTS = [
  'https://insiders.vscode.dev/redirect',
  'https://vscode.dev/redirect',
  'http://127.0.0.1/',
  'http://127.0.0.1:33418/',
];
const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

describe('client VS Code: native public client, loopback on 33418 or a random port', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('PRM resource equals the configured server URL exactly', async () => {
    const prm = await getJson(`${server.url}/.well-known/oauth-protected-resource/mcp`);
    expect(prm.json.resource).toBe(`${server.issuer}/mcp`);
  });

  it('registers grant_types = supported ∩ {authorization_code, refresh_token, device_code}, without device_code', async () => {
    const metadata = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    const supported = metadata.json.grant_types_supported as string[];
    const grantTypes = ['authorization_code', 'refresh_token', DEVICE_CODE].filter((type) =>
      supported.includes(type),
    );
    expect(grantTypes).toEqual(['authorization_code', 'refresh_token']);
    const result = await postJson(`${server.url}/oauth/register`, {
      client_name: 'Visual Studio Code',
      client_uri: 'https://code.visualstudio.com',
      redirect_uris: REDIRECTS,
      grant_types: grantTypes,
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    });
    expect(result.status).toBe(201);
    client = result.json as unknown as RegisteredClient;
    expect(client.redirect_uris).toEqual(REDIRECTS);
    expect(client.application_type).toBe('native');
  });

  for (const redirectUri of [
    'http://127.0.0.1:33418/',
    'http://127.0.0.1:52731/',
    'https://vscode.dev/redirect',
  ]) {
    it(`completes the flow through ${redirectUri} and calls whoami`, async () => {
      const code = await authorizeCode(sharedBrowser(server), client, {
        redirectUri,
        resource: server.resource,
      });
      expect(`${code.location.origin}${code.location.pathname}`).toBe(redirectUri);
      const tokens = await postForm(`${server.url}/oauth/token`, {
        grant_type: 'authorization_code',
        client_id: client.client_id,
        code: code.code,
        code_verifier: code.verifier,
        redirect_uri: redirectUri,
        resource: server.resource,
      });
      expect(tokens.status).toBe(200);
      expect(
        (await whoami(server.url, (tokens.json as unknown as TokenResponse).access_token)).clientId,
      ).toBe(client.client_id);
    });
  }

  it('still works through the root fallbacks /register, /authorize and /token', async () => {
    const registered = await postJson(`${server.url}/register`, {
      client_name: 'Visual Studio Code',
      redirect_uris: ['http://127.0.0.1:33418/'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    });
    expect(registered.status).toBe(201);
    const fallbackClient = registered.json as unknown as RegisteredClient;
    const code = await authorizeCode(sharedBrowser(server), fallbackClient, { path: '/authorize' });
    const tokens = await postForm(`${server.url}/token`, {
      grant_type: 'authorization_code',
      client_id: fallbackClient.client_id,
      code: code.code,
      code_verifier: code.verifier,
      redirect_uri: code.redirectUri,
    });
    expect(tokens.status).toBe(200);
  });
});
