import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEVICE_CODE_GRANT,
  VSCODE_DOCUMENT,
  VSCODE_REDIRECTS,
  connectAndRefresh,
  documentClient,
  startProfileServer,
  vscodeRegistration,
  type ProfileServer,
} from '../helpers/client-profiles.js';
import { whoami } from '../helpers/mcp.js';
import {
  authorizeCode,
  getJson,
  postForm,
  postJson,
  type RegisteredClient,
  type TokenResponse,
  sharedBrowser,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The loopback redirects VS Code uses: its fixed port, and a random one when 33418 is busy. */
const VSCODE_FLOWS = [
  'http://127.0.0.1:33418/',
  'http://127.0.0.1:52731/',
  'https://vscode.dev/redirect',
  'https://insiders.vscode.dev/redirect',
];

describe('client VS Code: CIMD https://vscode.dev/oauth/client-metadata.json naming device_code', () => {
  let server: ProfileServer;

  beforeAll(async () => {
    server = await startProfileServer([VSCODE_DOCUMENT]);
  });
  afterAll(() => server.close());

  it('the document asks for device_code, which the metadata does not offer', async () => {
    expect(VSCODE_DOCUMENT.grant_types).toContain(DEVICE_CODE_GRANT);
    const metadata = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    expect(metadata.json.client_id_metadata_document_supported).toBe(true);
    expect(metadata.json.grant_types_supported).not.toContain(DEVICE_CODE_GRANT);
  });

  for (const redirectUri of VSCODE_FLOWS) {
    it(`completes the flow through ${redirectUri} with the document URL as client_id`, async () => {
      await connectAndRefresh(server, documentClient(VSCODE_DOCUMENT, redirectUri), {
        resource: server.resource,
      });
    });
  }
});

describe('client VS Code: DCR fallback, native public client, loopback on 33418 or a random port', () => {
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
    const registration = vscodeRegistration(metadata.json.grant_types_supported as string[]);
    expect(registration.grant_types).toEqual(['authorization_code', 'refresh_token']);
    const result = await postJson(`${server.url}/oauth/register`, registration);
    expect(result.status).toBe(201);
    client = result.json as unknown as RegisteredClient;
    expect(client.redirect_uris).toEqual(VSCODE_REDIRECTS);
    expect(client.application_type).toBe('native');
  });

  for (const redirectUri of VSCODE_FLOWS) {
    it(`completes the flow through ${redirectUri}`, async () => {
      await connectAndRefresh(server, client, { redirectUri, resource: server.resource });
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
    const identity = await whoami(
      server.url,
      (tokens.json as unknown as TokenResponse).access_token,
    );
    expect(identity.clientId).toBe(fallbackClient.client_id);
  });
});
