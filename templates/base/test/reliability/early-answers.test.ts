import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { grantTokens } from '../helpers/oauth.js';
import { RawConnection, requestHead, type RawResponse } from '../helpers/raw-http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Answers given before the request body was read in full (413, a refused /mcp call) and what they do
 * to the keep-alive connection they arrive on, driven over raw sockets: either the answer says
 * Connection: close and the server closes the socket, or the socket answers the next request. Never a
 * connection dropped under a client that was told it stays open.
 */

const FORM = 'application/x-www-form-urlencoded';

interface Oversized {
  name: string;
  path: string;
  contentType: string;
  /** A body over the endpoint's limit. */
  body: () => string;
  /** Extra headers (a bearer for /mcp). */
  headers?: () => Record<string, string>;
}

let server: TestServer;
let accessToken: string;
const open: RawConnection[] = [];

async function connection(): Promise<RawConnection> {
  const raw = await RawConnection.open(server.url);
  open.push(raw);
  return raw;
}

/** After an early answer: the connection is closed as announced, or still answers a request. */
async function expectClosedOrUsable(raw: RawConnection, answer: RawResponse): Promise<void> {
  if (answer.headers.connection?.toLowerCase() === 'close') {
    await raw.closed;
    return;
  }
  raw.send(requestHead('GET', '/healthz', server.url));
  const next = await raw.readResponse();
  expect(next.status).toBe(200);
}

const OVERSIZED: Oversized[] = [
  {
    name: 'a 70 KB registration',
    path: '/oauth/register',
    contentType: 'application/json',
    body: () =>
      JSON.stringify({ redirect_uris: ['http://127.0.0.1/cb'], padding: 'x'.repeat(70_000) }),
  },
  {
    name: 'a 17 KB token request',
    path: '/oauth/token',
    contentType: FORM,
    body: () => `grant_type=refresh_token&refresh_token=${'x'.repeat(17 * 1024)}`,
  },
  {
    name: 'a 17 KB revocation',
    path: '/oauth/revoke',
    contentType: FORM,
    body: () => `token=${'x'.repeat(17 * 1024)}`,
  },
  {
    name: 'a 17 KB login form',
    path: '/oauth/login',
    contentType: FORM,
    body: () => `email=a%40example.com&password=${'x'.repeat(17 * 1024)}`,
  },
  {
    name: 'a 17 KB consent form',
    path: '/oauth/authorize',
    contentType: FORM,
    body: () => `decision=approve&state=${'x'.repeat(17 * 1024)}`,
  },
  {
    name: 'a 5 MB MCP message with a valid token',
    path: '/mcp',
    contentType: 'application/json',
    body: () =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'ping',
        padding: 'x'.repeat(5 * 1024 * 1024),
      }),
    headers: () => ({
      authorization: `Bearer ${accessToken}`,
      accept: 'application/json, text/event-stream',
    }),
  },
];

function head(testCase: Oversized, length: number): string {
  return requestHead('POST', testCase.path, server.url, {
    'content-type': testCase.contentType,
    'content-length': length,
    ...testCase.headers?.(),
  });
}

describe('rule early-answer-close: an answer sent before the body was read never leaves a dead keep-alive socket', () => {
  beforeAll(async () => {
    server = await startTestServer();
    accessToken = (await grantTokens(server)).tokens.access_token;
  });
  afterEach(() => {
    for (const raw of open.splice(0)) raw.destroy();
  });
  afterAll(() => server.close());

  it.each(OVERSIZED.map((testCase) => [testCase.name, testCase] as const))(
    'rule early-answer-close: %s, with as much body as the socket takes, answers 413, then closes or serves the next request',
    async (_name, testCase) => {
      const raw = await connection();
      const body = Buffer.from(testCase.body());
      // Only what fits in the socket buffers without the server reading: the rest is the server's to refuse.
      raw.send(head(testCase, body.length), body.subarray(0, 256 * 1024));
      const answer = await raw.readResponse();
      expect(answer.status).toBe(413);
      await expectClosedOrUsable(raw, answer);
    },
  );

  it.each(OVERSIZED.map((testCase) => [testCase.name, testCase] as const))(
    'rule early-answer-close: %s, whose body has not arrived yet, answers 413 with Connection: close and closes',
    async (_name, testCase) => {
      const raw = await connection();
      raw.send(head(testCase, Buffer.byteLength(testCase.body())));
      const answer = await raw.readResponse();
      expect(answer.status).toBe(413);
      expect(answer.headers.connection).toBe('close');
      await raw.closed;
    },
  );

  it('rule early-answer-close: a request within the limits keeps its connection open for the next one', async () => {
    const raw = await connection();
    raw.send(head(OVERSIZED[2]!, 9), 'token=abc');
    const answer = await raw.readResponse();
    // A revocation without client authentication: refused after the body was read.
    expect(answer.status).toBe(401);
    expect(answer.headers.connection).not.toBe('close');
    raw.send(requestHead('GET', '/healthz', server.url));
    expect((await raw.readResponse()).status).toBe(200);
  });
});

describe('rule bearer-before-body: /mcp refuses a missing or invalid bearer before it reads the body', () => {
  const TEN_MB = 10 * 1024 * 1024;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => {
    for (const raw of open.splice(0)) raw.destroy();
  });
  afterAll(() => server.close());

  /** A 10 MB POST of which only the head is sent: a server that read the body first would never answer. */
  async function tenMegabytePost(
    headers: Record<string, string>,
  ): Promise<RawResponse & { raw: RawConnection }> {
    const raw = await connection();
    raw.send(
      requestHead('POST', '/mcp', server.url, {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'content-length': TEN_MB,
        ...headers,
      }),
    );
    return { ...(await raw.readResponse()), raw };
  }

  it('rule bearer-before-body: no Authorization header gets 401 with the challenge and Connection: close', async () => {
    const answer = await tenMegabytePost({});
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer resource_metadata="/);
    expect(answer.headers.connection).toBe('close');
    await answer.raw.closed;
  });

  it('rule bearer-before-body: an unknown token gets 401 invalid_token and Connection: close', async () => {
    const answer = await tenMegabytePost({ authorization: 'Bearer not-a-token-we-issued' });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(answer.headers.connection).toBe('close');
    await answer.raw.closed;
  });

  it('rule bearer-before-body: a disallowed Origin gets 403 before the body too', async () => {
    const answer = await tenMegabytePost({ origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(answer.headers.connection).toBe('close');
    await answer.raw.closed;
  });

  it('rule bearer-before-body: a valid token over the 4 MB limit is refused with 413, also before the body', async () => {
    const { tokens } = await grantTokens(server);
    const answer = await tenMegabytePost({ authorization: `Bearer ${tokens.access_token}` });
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    await answer.raw.closed;
  });
});
