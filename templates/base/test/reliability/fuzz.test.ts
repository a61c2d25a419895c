import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_PROTOCOL_VERSION, whoami } from '../helpers/mcp.js';
import {
  grantTokens,
  pkcePair,
  registerPublicClient,
  type RegisteredClient,
  type TokenResponse,
} from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Random requests at every endpoint: random methods, paths, query and body parameter mixes,
 * content types and headers. Whatever arrives, the server answers below 500 without a stack,
 * stays up, and a full flow still works afterwards. Bounded by NUM_RUNS so the file stays fast.
 */

/** FUZZ_RUNS raises the bound for a longer local run; FUZZ_SEED replays a failure. */
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED_FROM_ENV = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

const PATHS = [
  '/oauth/register',
  '/register',
  '/oauth/authorize',
  '/authorize',
  '/oauth/login',
  '/oauth/token',
  '/token',
  '/oauth/revoke',
  '/revoke',
  '/mcp',
  '/healthz',
  '/.well-known/oauth-authorization-server',
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/openid-configuration',
  '/nowhere',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const PARAMETERS = [
  'client_id',
  'client_secret',
  'redirect_uri',
  'redirect_uris',
  'response_type',
  'code_challenge',
  'code_challenge_method',
  'code_verifier',
  'state',
  'scope',
  'resource',
  'prompt',
  'grant_type',
  'code',
  'refresh_token',
  'token',
  'token_type_hint',
  'csrf_token',
  'decision',
  'requested_scope',
  'return_to',
  'email',
  'password',
];
const CONTENT_TYPES = [
  undefined,
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/json',
  'application/json; charset=latin1',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/xml',
  '*/*',
  'garbage',
];

/** Printable ASCII: anything else cannot be sent in a header by fetch. */
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 80,
});

interface Known {
  client: RegisteredClient;
  tokens: TokenResponse;
  challenge: string;
}

function valueArbitrary(known: Known): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(
      known.client.client_id,
      'https://app.example.com/callback',
      'http://127.0.0.1/callback',
      'javascript:alert(1)',
      'https://evil.example/callback',
      'code',
      'token',
      'S256',
      'plain',
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'mcp:read mcp:write offline_access',
      'approve',
      'deny',
      'none',
      '/oauth/authorize',
      '//evil.example',
      known.challenge,
      '%zz',
      '\r\n',
      '',
    ),
    fc.nat({ max: 5000 }).map((length) => 'a'.repeat(length)),
  );
}

const parameterMix = (known: Known) =>
  fc.array(fc.tuple(fc.constantFrom(...PARAMETERS), valueArbitrary(known)), { maxLength: 8 });

function bodyArbitrary(known: Known): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    parameterMix(known).map((pairs) => new URLSearchParams(pairs).toString()),
    parameterMix(known).map((pairs) => JSON.stringify(Object.fromEntries(pairs))),
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    fc.constantFrom(
      '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}',
      '[{"jsonrpc":"2.0","id":1,"method":"initialize"}]',
      '{"redirect_uris":["https://app.example.com/callback"],"token_endpoint_auth_method":"none"}',
    ),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );
}

function headersArbitrary(known: Known): fc.Arbitrary<Record<string, string>> {
  return fc.record(
    {
      authorization: fc.oneof(
        fc.constant(`Bearer ${known.tokens.access_token}`),
        fc.constant(`bearer ${known.tokens.refresh_token}`),
        headerText.map((text) => `Bearer ${text}`),
        headerText.map((text) => `Basic ${Buffer.from(text).toString('base64')}`),
        headerText,
      ),
      cookie: headerText,
      origin: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1'),
      accept: fc.constantFrom('application/json, text/event-stream', 'text/html', '*/*'),
      'mcp-protocol-version': fc.constantFrom(MCP_PROTOCOL_VERSION, '1999-01-01'),
      'mcp-session-id': headerText,
      'x-forwarded-for': headerText,
    },
    { requiredKeys: [] },
  );
}

function requestArbitrary(known: Known) {
  return fc.record({
    method: fc.constantFrom(...METHODS),
    path: fc.constantFrom(...PATHS),
    trailingSlash: fc.boolean(),
    query: parameterMix(known),
    contentType: fc.constantFrom(...CONTENT_TYPES),
    body: bodyArbitrary(known),
    headers: headersArbitrary(known),
  });
}

type FuzzRequest = ReturnType<typeof requestArbitrary> extends fc.Arbitrary<infer T> ? T : never;

async function send(server: TestServer, request: FuzzRequest): Promise<Response> {
  const query = new URLSearchParams(request.query).toString();
  const url = `${server.url}${request.path}${request.trailingSlash ? '/' : ''}${query ? `?${query}` : ''}`;
  const headers: Record<string, string> = { ...request.headers };
  if (request.contentType) headers['content-type'] = request.contentType;
  const mayHaveBody = request.method !== 'GET' && request.method !== 'HEAD';
  return fetch(url, {
    method: request.method,
    redirect: 'manual',
    headers,
    ...(mayHaveBody && request.body !== undefined ? { body: request.body } : {}),
  });
}

describe('reliability: fuzzing every endpoint never gets a 5xx, and the server keeps working', () => {
  let server: TestServer;
  let known: Known;

  beforeAll(async () => {
    // Client ID Metadata Document URLs are fuzzed too; they must never reach DNS or the network
    // from a test, so the host check is off and every document fetch answers 404.
    server = await startTestServer(
      { CIMD_ALLOW_PRIVATE_ADDRESSES: 'true' },
      { fetch: async () => new Response('no such document', { status: 404 }) },
    );
    const { client, tokens } = await grantTokens(server);
    known = { client, tokens, challenge: pkcePair().challenge };
  });
  afterAll(() => server.close());

  it(`answers ${NUM_RUNS} random requests below 500 without a stack trace`, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(requestArbitrary(known), async (request) => {
        runs += 1;
        const response = await send(server, request);
        const text = await response.text();
        expect(
          response.status,
          `${request.method} ${request.path}: ${text.slice(0, 200)}`,
        ).toBeLessThan(500);
        expect(text).not.toMatch(/\n\s+at \S/);
      }),
      { numRuns: NUM_RUNS, ...(SEED_FROM_ENV === undefined ? {} : { seed: SEED_FROM_ENV }) },
    );
    console.log(`fuzz: ${runs} random requests executed`);
    expect(runs).toBe(NUM_RUNS);
  });

  it('still answers /healthz and completes a full flow afterwards', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const client = await registerPublicClient(server.url);
    expect((await server.store.findClient(client.client_id))?.clientId).toBe(client.client_id);
    const { tokens } = await grantTokens(server, { client });
    expect((await whoami(server.url, tokens.access_token)).clientId).toBe(client.client_id);
  });
});
