import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, SCOPES } from '../../src/oauth/scopes.js';
import {
  CHATGPT_CALLBACK,
  CHATGPT_DOCUMENT,
  CHATGPT_LEGACY_CALLBACK,
  CHATGPT_REGISTRATION,
  connectAndRefresh,
  documentClient,
  startProfileServer,
  type ProfileServer,
} from '../helpers/client-profiles.js';
import { getJson, registerClient, type RegisteredClient } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** ChatGPT asks for the /mcp-suffixed PRM first, then the root PRM and both AS metadata paths. */
async function discoverLikeChatGpt(server: TestServer): Promise<Record<string, unknown>> {
  const suffixed = await getJson(`${server.url}/.well-known/oauth-protected-resource/mcp`, {
    'mcp-protocol-version': '2025-06-18',
  });
  expect(suffixed.status).toBe(200);
  expect(suffixed.json.resource).toBe(server.resource);
  const root = await getJson(`${server.url}/.well-known/oauth-protected-resource`);
  expect(root.json).toEqual(suffixed.json);
  let metadata: Record<string, unknown> = {};
  for (const path of [
    '/.well-known/oauth-authorization-server/mcp',
    '/.well-known/oauth-authorization-server',
  ]) {
    const answer = await getJson(`${server.url}${path}`);
    expect(answer.status).toBe(200);
    metadata = answer.json;
  }
  return metadata;
}

describe('client ChatGPT: suffixed PRM first, DCR, connector callbacks', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('discovers through the /mcp-suffixed PRM first, then the root PRM and AS metadata', async () => {
    const metadata = await discoverLikeChatGpt(server);
    expect(metadata.registration_endpoint).toBe(`${server.issuer}/oauth/register`);
  });

  it('registers both connector callbacks as a public client', async () => {
    client = await registerClient(server.url, CHATGPT_REGISTRATION);
    expect(client.redirect_uris).toEqual([CHATGPT_CALLBACK, CHATGPT_LEGACY_CALLBACK]);
    expect(client).not.toHaveProperty('client_secret');
  });

  it('completes the flow asking for every advertised scope', async () => {
    const metadata = await discoverLikeChatGpt(server);
    const { tokens } = await connectAndRefresh(server, client, {
      redirectUri: CHATGPT_CALLBACK,
      scope: (metadata.scopes_supported as string[]).join(' '),
      resource: server.resource,
    });
    expect(tokens.scope.split(' ')).toEqual(
      expect.arrayContaining(SCOPES.map((entry) => entry.name)),
    );
  });

  it('reconnects through the legacy callback without any scope parameter and still gets the baseline', async () => {
    const { tokens } = await connectAndRefresh(server, client, {
      redirectUri: CHATGPT_LEGACY_CALLBACK,
      resource: server.resource,
    });
    expect(tokens.scope.split(' ')).toContain(BASELINE_SCOPE);
  });
});

describe('client ChatGPT: CIMD client.json offering private_key_jwt and none', () => {
  let server: ProfileServer;

  beforeAll(async () => {
    server = await startProfileServer([CHATGPT_DOCUMENT]);
  });
  afterAll(() => server.close());

  it('finds CIMD and the none method it needs in the metadata', async () => {
    const metadata = await discoverLikeChatGpt(server);
    expect(metadata.client_id_metadata_document_supported).toBe(true);
    expect(metadata.token_endpoint_auth_methods_supported).toContain('none');
  });

  for (const callback of [CHATGPT_CALLBACK, CHATGPT_LEGACY_CALLBACK]) {
    it(`completes the flow through ${callback} with the document URL as client_id and PKCE only`, async () => {
      await discoverLikeChatGpt(server);
      await connectAndRefresh(server, documentClient(CHATGPT_DOCUMENT, callback), {
        resource: server.resource,
      });
      expect(server.documents.hits(CHATGPT_DOCUMENT.client_id)).toBeGreaterThan(0);
    });
  }
});
