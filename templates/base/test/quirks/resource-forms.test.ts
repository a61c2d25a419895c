import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/oauth/crypto.js';
import {
  authorizeCode,
  authorizeUrl,
  exchangeCode,
  linkedErrorResponse,
  pkcePair,
  randomState,
  registerPublicClient,
  sharedBrowser,
  type RegisteredClient,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

describe('quirk resource-forms: repeated, comma-separated and JSON-array resource values', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await registerPublicClient(server.url, [REDIRECT]);
  });
  afterAll(() => server.close());

  /** Completes the flow sending `resource` to both endpoints; returns the stored audience of the token. */
  async function audienceFor(
    resource: string | string[] | undefined,
    tokenResource = resource,
  ): Promise<string> {
    const code = await authorizeCode(sharedBrowser(server), client, { resource });
    const result = await exchangeCode(server.url, client, { ...code, resource: tokenResource });
    expect(result.status, result.text).toBe(200);
    const stored = await server.store.findAccessToken(
      sha256(result.json.access_token),
      Math.floor(Date.now() / 1000),
    );
    return stored!.resource;
  }

  it('accepts the canonical resource as one value', async () => {
    expect(await audienceFor(server.resource)).toBe(server.resource);
  });

  it('accepts repeated resource parameters (claude.ai)', async () => {
    expect(await audienceFor([server.resource, server.resource])).toBe(server.resource);
  });

  it('accepts one comma-separated value', async () => {
    expect(await audienceFor(`${server.resource},${server.resource}`)).toBe(server.resource);
  });

  it('accepts a JSON array string', async () => {
    expect(await audienceFor(JSON.stringify([server.resource]))).toBe(server.resource);
  });

  it('ignores one trailing slash (Claude Code, the SDK)', async () => {
    expect(await audienceFor(`${server.resource}/`)).toBe(server.resource);
  });

  it('compares the scheme case-insensitively', async () => {
    expect(await audienceFor(`HTTP://${server.resource.slice('http://'.length)}`)).toBe(
      server.resource,
    );
  });

  it('treats an omitted resource as the canonical one, at both endpoints', async () => {
    expect(await audienceFor(undefined)).toBe(server.resource);
  });

  it('accepts different but equivalent forms at /authorize and /token', async () => {
    expect(await audienceFor([server.resource, server.resource], `${server.resource}/`)).toBe(
      server.resource,
    );
  });

  it('answers a foreign resource at /authorize with invalid_target and the state (linked from the error page)', async () => {
    const state = randomState();
    const response = await sharedBrowser(server).get(
      authorizeUrl(server.url, {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        state,
        resource: 'https://other.example.com/mcp',
      }),
    );
    const location = await linkedErrorResponse(response);
    expect(location.searchParams.get('error')).toBe('invalid_target');
    expect(location.searchParams.get('state')).toBe(state);
  });

  it('refuses a list where one value is foreign', async () => {
    const response = await sharedBrowser(server).get(
      authorizeUrl(server.url, {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        state: randomState(),
        resource: [server.resource, 'https://other.example.com/mcp'],
      }),
    );
    expect((await linkedErrorResponse(response)).searchParams.get('error')).toBe('invalid_target');
  });

  it('refuses the origin alone: the resource is PUBLIC_URL/mcp', async () => {
    const code = await authorizeCode(sharedBrowser(server), client);
    const result = await exchangeCode(server.url, client, {
      ...code,
      resource: `${server.issuer}/`,
    });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_target');
  });

  it('answers a foreign resource at /token with 400 invalid_target', async () => {
    const code = await authorizeCode(sharedBrowser(server), client);
    const result = await exchangeCode(server.url, client, {
      ...code,
      resource: 'https://other.example.com/mcp',
    });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_target');
  });
});

describe('quirk resource-forms: host names compare case-insensitively', () => {
  let server: TestServer;
  let client: RegisteredClient;

  beforeAll(async () => {
    server = await startTestServer({ PUBLIC_URL: 'https://mcp.example.test' });
    client = await registerPublicClient(server.url, [REDIRECT]);
  });
  afterAll(() => server.close());

  it('accepts HTTPS://MCP.EXAMPLE.TEST/mcp for https://mcp.example.test/mcp', async () => {
    const resource = 'HTTPS://MCP.EXAMPLE.TEST/mcp';
    const code = await authorizeCode(sharedBrowser(server), client, { resource });
    const result = await exchangeCode(server.url, client, { ...code, resource });
    expect(result.status, result.text).toBe(200);
    const stored = await server.store.findAccessToken(
      sha256(result.json.access_token),
      Math.floor(Date.now() / 1000),
    );
    expect(stored!.resource).toBe('https://mcp.example.test/mcp');
  });

  it('still refuses a different path: the path compares exactly', async () => {
    const code = await authorizeCode(sharedBrowser(server), client);
    const result = await exchangeCode(server.url, client, {
      ...code,
      resource: 'https://mcp.example.test/MCP',
    });
    expect(result.status).toBe(400);
    expect(result.json.error).toBe('invalid_target');
  });
});
