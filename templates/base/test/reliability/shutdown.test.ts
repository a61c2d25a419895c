import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { grantTokens, type RegisteredClient, type TokenResponse } from '../helpers/oauth.js';
import { RawConnection, requestHead } from '../helpers/raw-http.js';
import { TEST_ACCOUNT, TEST_SESSION_SECRET, freePort } from '../helpers/server.js';
import { dropStorage, storageEnv } from '../helpers/storage-env.js';

/**
 * rule graceful-shutdown, on the real server process (src/server.ts through tsx), stopped with SIGTERM.
 * The requests "in flight" are genuinely slow: the test writes their bodies (or headers) in two parts
 * over raw sockets and sends the signal in between.
 */

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const started: { process: ServerProcess; dataDir: string }[] = [];

async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mcp-oauth-shutdown-'));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      SESSION_SECRET: TEST_SESSION_SECRET,
      BOOTSTRAP_USER_EMAIL: TEST_ACCOUNT.email,
      BOOTSTRAP_USER_PASSWORD: TEST_ACCOUNT.password,
      ...storageEnv(dataDir),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const server: ServerProcess = { url, child, output: () => output, exited };
  started.push({ process: server, dataDir });
  await new Promise<void>((resolve, reject) => {
    const listening = () => {
      if (output.includes('MCP server listening on')) resolve();
    };
    child.stdout!.on('data', listening);
    void exited.then((code) =>
      reject(new Error(`the server exited (${code}) before listening:\n${output}`)),
    );
  });
  return server;
}

/** A refresh grant's form body, to be written in two parts around the signal. */
function refreshBody(client: RegisteredClient, tokens: TokenResponse): string {
  return new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: tokens.refresh_token,
    client_id: client.client_id,
  }).toString();
}

function connectionRefused(url: string): Promise<boolean> {
  return RawConnection.open(url).then(
    (raw) => {
      raw.destroy();
      return false;
    },
    (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED',
  );
}

/**
 * True once connecting is refused, within `ms`. Node closes idle connections an instant before the
 * listening socket, so a connection opened in that instant may still complete in the kernel (and is
 * reset, never served): asking again tells that apart from a server that keeps listening.
 */
async function refusedWithin(url: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await connectionRefused(url))) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

describe('rule graceful-shutdown: SIGTERM drains the requests in flight, then the process exits 0', () => {
  afterEach(async () => {
    for (const { process: server, dataDir } of started.splice(0)) {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      await server.exited;
      await dropStorage(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('rule graceful-shutdown: a /token request in flight gets its answer, /readyz is 503, new connections are refused, exit code 0', async () => {
    const server = await startServerProcess();
    const { client, tokens } = await grantTokens({ url: server.url, issuer: server.url });
    const body = refreshBody(client, tokens);
    const half = Math.floor(body.length / 2);

    const token = await RawConnection.open(server.url);
    token.send(
      requestHead('POST', '/oauth/token', server.url, {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': body.length,
      }),
      body.slice(0, half),
    );
    // A readiness probe whose headers are still arriving when the signal comes.
    const probe = await RawConnection.open(server.url);
    probe.write(`${requestHead('GET', '/readyz', server.url)}\r\n`);
    // An idle keep-alive connection; its answer also shows the server has read the partial requests.
    const idle = await RawConnection.open(server.url);
    idle.send(requestHead('GET', '/readyz', server.url));
    expect((await idle.readResponse()).status).toBe(200);

    server.child.kill('SIGTERM');

    await idle.closed;
    expect(await refusedWithin(server.url, 1000)).toBe(true);

    probe.write('\r\n');
    const readiness = await probe.readResponse();
    expect(readiness.status).toBe(503);
    expect(JSON.parse(readiness.body)).toMatchObject({ reason: 'draining' });
    expect(readiness.headers.connection).toBe('close');

    token.write(body.slice(half));
    const answer = await token.readResponse();
    expect(answer.status, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ token_type: 'bearer' });
    expect(answer.headers.connection).toBe('close');
    await token.closed;

    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('SIGTERM received');
  });

  it('rule graceful-shutdown: a request that never finishes is ended after SHUTDOWN_TIMEOUT, and the process still exits 0', async () => {
    const server = await startServerProcess({ SHUTDOWN_TIMEOUT: '1' });
    const stuck = await RawConnection.open(server.url);
    stuck.send(
      requestHead('POST', '/oauth/token', server.url, {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': 100,
      }),
      'grant_type=',
    );
    const idle = await RawConnection.open(server.url);
    idle.send(requestHead('GET', '/healthz', server.url));
    expect((await idle.readResponse()).status).toBe(200);

    server.child.kill('SIGTERM');

    await stuck.closed;
    expect(await server.exited).toBe(0);
  });
});
