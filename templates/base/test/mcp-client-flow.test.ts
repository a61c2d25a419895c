import {
  Client,
  InsufficientScopeError,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE, OFFLINE_ACCESS, SCOPES } from '../src/oauth/scopes.js';
import { TOOLS } from '../src/tools/index.js';
import { Browser, grantTokens } from './helpers/oauth.js';
import { TestOAuthProvider, recordingFetch, type RecordedRequest } from './helpers/sdk-provider.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const WRITE_TOOL = TOOLS.find((tool) => tool.name === 'add_note')!;
const NEEDS_STEP_UP = WRITE_TOOL.requiredScopes.some((scope) => scope !== BASELINE_SCOPE);

function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const content = result.content as { type: string; text?: string }[];
  return content.find((item) => item.type === 'text')?.text ?? '';
}

/**
 * The whole journey with the real MCP TypeScript SDK v2 client, in order: each step depends on the
 * previous one, as it does for a user connecting a client for the first time.
 */
describe('the MCP SDK v2 client: 401 -> discovery -> DCR -> consent -> tokens -> tools -> refresh -> step-up', () => {
  let server: TestServer;
  let provider: TestOAuthProvider;
  let client: Client;
  let transport: StreamableHTTPClientTransport;
  const requests: RecordedRequest[] = [];

  function connectTransport(): StreamableHTTPClientTransport {
    return new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
      authProvider: provider,
      fetch: recordingFetch(requests),
    });
  }

  beforeAll(async () => {
    server = await startTestServer();
    provider = new TestOAuthProvider(new Browser(server), {
      redirectUrl: 'http://127.0.0.1:53682/callback',
    });
    // The user grants only the baseline at first, so that the write tool later needs a step-up.
    provider.tickScopes = (offered) =>
      offered.filter((scope) => scope === BASELINE_SCOPE || scope === OFFLINE_ACCESS);
  });
  afterAll(async () => {
    await client?.close();
    await server.close();
  });

  it('connecting without a token fails with UnauthorizedError after discovery, DCR and the consent redirect', async () => {
    client = new Client({ name: 'mcp-oauth-test', version: '1.0.0' });
    transport = connectTransport();
    await expect(client.connect(transport)).rejects.toSatisfy((error) =>
      UnauthorizedError.isInstance(error),
    );

    const first = requests[0]!;
    expect(first.url).toBe(`${server.url}/mcp`);
    expect(first.status).toBe(401);
    const paths = requests.map(
      (request) => `${request.method} ${new URL(request.url).pathname} ${request.status}`,
    );
    expect(paths).toContain('GET /.well-known/oauth-protected-resource/mcp 200');
    expect(
      paths.some((path) =>
        /^GET \/\.well-known\/oauth-authorization-server(\/mcp)? 200$/.test(path),
      ),
    ).toBe(true);
    expect(paths).toContain('POST /oauth/register 201');
    expect(provider.clientInfo?.client_id).toEqual(expect.any(String));
  });

  it('sent the authorization request the spec asks for: S256, resource, scope from the challenge, state', () => {
    const url = provider.authorizationUrls[0]!;
    expect(`${url.origin}${url.pathname}`).toBe(`${server.issuer}/oauth/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('resource')).toBe(server.resource);
    expect(url.searchParams.get('scope')?.split(' ')).toContain(BASELINE_SCOPE);
    expect(url.searchParams.get('state')).toBeTruthy();
  });

  it('finishAuth exchanges the code; the next connection initializes and lists the tools', async () => {
    await transport.finishAuth(provider.lastCallback());
    expect(provider.tokenSet?.access_token).toEqual(expect.any(String));
    expect(provider.tokenSet?.token_type).toBe('bearer');
    expect(provider.tokenSet?.refresh_token).toEqual(expect.any(String));

    client = new Client({ name: 'mcp-oauth-test', version: '1.0.0' });
    transport = connectTransport();
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(TOOLS.map((tool) => tool.name)),
    );
  });

  it('whoami answers with the signed-in user, the registered client and the granted scopes', async () => {
    const identity = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
    expect(identity.userId).toBe(server.user.userId);
    expect(identity.clientId).toBe(provider.clientInfo?.client_id);
    expect(identity.scopes).toContain(BASELINE_SCOPE);
  });

  it('refreshes by itself when the access token stops working', async () => {
    const before = provider.tokenSet!;
    provider.saveTokens({ ...before, access_token: 'revoked-access-token' });
    const identity = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
    expect(identity.userId).toBe(server.user.userId);
    const refreshes = requests.filter((request) =>
      request.body.includes('grant_type=refresh_token'),
    );
    expect(refreshes.length).toBeGreaterThanOrEqual(1);
    expect(refreshes.at(-1)!.status).toBe(200);
    expect(provider.tokenSet!.access_token).not.toBe('revoked-access-token');
    expect(provider.tokenSet!.refresh_token).not.toBe(before.refresh_token);
  });

  it.runIf(NEEDS_STEP_UP)(
    'steps up on add_note: 403 insufficient_scope -> re-authorization for the union of scopes',
    async () => {
      provider.tickScopes = undefined; // this time the user approves what is asked
      const consentsBefore = provider.authorizationUrls.length;
      await expect(
        client.callTool({ name: 'add_note', arguments: { text: 'from the SDK' } }),
      ).rejects.toSatisfy((error) => UnauthorizedError.isInstance(error));
      const stepUp = requests.find((request) => request.status === 403);
      expect(stepUp).toBeDefined();

      const url = provider.authorizationUrls.at(-1)!;
      expect(provider.authorizationUrls.length).toBe(consentsBefore + 1);
      const asked = url.searchParams.get('scope')!.split(' ');
      expect(asked).toEqual(expect.arrayContaining([BASELINE_SCOPE, ...WRITE_TOOL.requiredScopes]));

      await transport.finishAuth(provider.lastCallback());
      const note = JSON.parse(
        textOf(await client.callTool({ name: 'add_note', arguments: { text: 'from the SDK' } })),
      );
      expect(note.text).toBe('from the SDK');
      const identity = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
      expect(identity.scopes).toEqual(expect.arrayContaining(SCOPES.map((scope) => scope.name)));
    },
  );

  it('list_notes sees the note through the same connection', async () => {
    const result = await client.callTool({ name: 'list_notes', arguments: {} });
    const notes = JSON.parse(textOf(result)) as { text: string }[];
    if (NEEDS_STEP_UP) expect(notes.map((note) => note.text)).toContain('from the SDK');
    else expect(Array.isArray(notes)).toBe(true);
  });
});

describe('the MCP SDK v2 client on the 2026-07-28 protocol (server/discover, per-request headers)', () => {
  let server: TestServer;
  let client: Client;
  const requests: RecordedRequest[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    const { tokens } = await grantTokens(server, { consent: { scopes: [BASELINE_SCOPE] } });
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
      authProvider: { token: async () => tokens.access_token },
      fetch: recordingFetch(requests),
    });
    client = new Client(
      { name: 'mcp-oauth-test', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    await client.connect(transport);
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('negotiates 2026-07-28 through server/discover behind the bearer gate', () => {
    const discover = requests.find(
      (request) => request.headers.get('mcp-method') === 'server/discover',
    );
    expect(discover?.status).toBe(200);
    expect(discover?.headers.get('mcp-protocol-version')).toBe('2026-07-28');
  });

  it('calls whoami with Mcp-Method and Mcp-Name headers', async () => {
    const identity = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
    expect(identity.userId).toBe(server.user.userId);
    const call = requests.at(-1)!;
    expect(call.headers.get('mcp-method')).toBe('tools/call');
    expect(call.headers.get('mcp-name')).toBe('whoami');
  });

  it.runIf(NEEDS_STEP_UP)(
    'a bearer-only client gets InsufficientScopeError with the scopes add_note needs',
    async () => {
      const error: unknown = await client
        .callTool({ name: 'add_note', arguments: { text: 'x' } })
        .catch((caught) => caught);
      expect(InsufficientScopeError.isInstance(error)).toBe(true);
      const required = (error as InsufficientScopeError).requiredScope?.split(' ') ?? [];
      expect(required).toEqual(expect.arrayContaining(WRITE_TOOL.requiredScopes));
    },
  );
});
