import { IssuerMismatchError, auth } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, OFFLINE_ACCESS } from '../../src/oauth/scopes.js';
import { whoami } from '../helpers/mcp.js';
import { Browser } from '../helpers/oauth.js';
import {
  TestOAuthProvider,
  recordingFetch,
  type RecordedRequest,
} from '../helpers/sdk-provider.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'http://127.0.0.1:38211/callback';
const CIMD_URL = 'https://client.example.com/oauth/client-metadata.json';

describe('client MCP TypeScript SDK v2: DCR with application_type, offline_access with prompt=consent', () => {
  let server: TestServer;
  let provider: TestOAuthProvider;
  const requests: RecordedRequest[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    provider = new TestOAuthProvider(new Browser(server), { redirectUrl: REDIRECT });
  });
  afterAll(() => server.close());

  it('auth() discovers, registers and redirects to consent', async () => {
    const result = await auth(provider, {
      serverUrl: `${server.url}/mcp`,
      fetchFn: recordingFetch(requests),
    });
    expect(result).toBe('REDIRECT');
  });

  it('sent MCP-Protocol-Version on discovery, and the server answered it', () => {
    const discovery = requests.filter((request) =>
      new URL(request.url).pathname.startsWith('/.well-known/'),
    );
    expect(discovery.length).toBeGreaterThan(0);
    expect(
      discovery.some(
        (request) => request.headers.get('mcp-protocol-version') && request.status === 200,
      ),
    ).toBe(true);
  });

  it('registered with application_type native and kept its public-client shape', () => {
    const registration = requests.find(
      (request) => new URL(request.url).pathname === '/oauth/register',
    )!;
    expect(registration.status).toBe(201);
    expect(JSON.parse(registration.body).application_type).toBe('native');
    expect(provider.clientInfo).not.toHaveProperty('client_secret');
  });

  it('asked for the baseline plus offline_access with prompt=consent, and the server tolerated both', () => {
    const url = provider.authorizationUrls[0]!;
    expect(url.searchParams.get('scope')!.split(' ')).toEqual(
      expect.arrayContaining([BASELINE_SCOPE, OFFLINE_ACCESS]),
    );
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('resource')).toBe(server.resource);
    expect(provider.lastCallback().get('code')).toBeTruthy();
  });

  it('auth() with the code exchanges it for tokens that work at /mcp', async () => {
    const callback = provider.lastCallback();
    const result = await auth(provider, {
      serverUrl: `${server.url}/mcp`,
      authorizationCode: callback.get('code')!,
      fetchFn: recordingFetch(requests),
    });
    expect(result).toBe('AUTHORIZED');
    expect(provider.tokenSet?.refresh_token).toEqual(expect.any(String));
    const identity = await whoami(server.url, provider.tokenSet!.access_token);
    expect(identity.clientId).toBe(provider.clientInfo!.client_id);
  });

  it('auth() with a saved refresh token refreshes without a new consent', async () => {
    const consents = provider.authorizationUrls.length;
    const before = provider.tokenSet!.refresh_token;
    expect(
      await auth(provider, { serverUrl: `${server.url}/mcp`, fetchFn: recordingFetch(requests) }),
    ).toBe('AUTHORIZED');
    expect(provider.authorizationUrls.length).toBe(consents);
    expect(provider.tokenSet!.refresh_token).not.toBe(before);
    await whoami(server.url, provider.tokenSet!.access_token);
  });
});

describe('client MCP TypeScript SDK v2: CIMD when the server advertises it and the client is configured', () => {
  let server: TestServer;
  let provider: TestOAuthProvider;

  beforeAll(async () => {
    const document = {
      client_id: CIMD_URL,
      client_name: 'SDK client with a metadata document',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
    const serveDocument: typeof fetch = async (input) =>
      String(input instanceof Request ? input.url : input) === CIMD_URL
        ? Response.json(document)
        : new Response('not found', { status: 404 });
    server = await startTestServer(
      { CIMD_ALLOW_PRIVATE_ADDRESSES: 'true' },
      { fetch: serveDocument },
    );
    provider = new TestOAuthProvider(new Browser(server), {
      redirectUrl: REDIRECT,
      clientMetadataUrl: CIMD_URL,
    });
  });
  afterAll(() => server.close());

  it('uses the document URL as client_id without registering, and completes the flow', async () => {
    const requests: RecordedRequest[] = [];
    expect(
      await auth(provider, { serverUrl: `${server.url}/mcp`, fetchFn: recordingFetch(requests) }),
    ).toBe('REDIRECT');
    expect(requests.some((request) => new URL(request.url).pathname.endsWith('/register'))).toBe(
      false,
    );
    expect(provider.clientInfo?.client_id).toBe(CIMD_URL);
    const code = provider.lastCallback().get('code')!;
    expect(await auth(provider, { serverUrl: `${server.url}/mcp`, authorizationCode: code })).toBe(
      'AUTHORIZED',
    );
    expect((await whoami(server.url, provider.tokenSet!.access_token)).clientId).toBe(CIMD_URL);
  });
});

describe('client MCP TypeScript SDK v2: RFC 9207 iss validation with ISS_PARAMETER=emit', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ISS_PARAMETER: 'emit' });
  });
  afterAll(() => server.close());

  it('accepts the callback because iss is present and matches the advertised issuer', async () => {
    const provider = new TestOAuthProvider(new Browser(server), { redirectUrl: REDIRECT });
    expect(await auth(provider, { serverUrl: `${server.url}/mcp` })).toBe('REDIRECT');
    const callback = provider.lastCallback();
    expect(callback.get('iss')).toBe(server.issuer);
    const result = await auth(provider, {
      serverUrl: `${server.url}/mcp`,
      authorizationCode: callback.get('code')!,
      iss: callback.get('iss')!,
    });
    expect(result).toBe('AUTHORIZED');
  });

  it('would reject the callback if the advertised iss were missing (why the server never advertises without emitting)', async () => {
    const provider = new TestOAuthProvider(new Browser(server), { redirectUrl: REDIRECT });
    await auth(provider, { serverUrl: `${server.url}/mcp` });
    const code = provider.lastCallback().get('code')!;
    await expect(
      auth(provider, { serverUrl: `${server.url}/mcp`, authorizationCode: code }),
    ).rejects.toSatisfy((error) => IssuerMismatchError.isInstance(error));
  });
});
