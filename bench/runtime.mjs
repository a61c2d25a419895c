/** A generated server under load (full auth path) against the same stack with no auth at all. */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { authorize, clientMetadata, signIn } from './oauth-flow.mjs';
import { prepareProject, REPO } from './project.mjs';
import {
  CONNECTIONS,
  freePort,
  measure,
  measureAlternating,
  run,
  startServer,
} from './support.mjs';

const ACCOUNT = { email: 'bench@example.com', password: 'bench-password-123' };
const UNLIMITED = '1000000000';
const PROFILE = process.env.BENCH_CPU_PROF === '1';

/** A stateless Streamable HTTP POST, as MCP clients of protocol 2025-06-18 send it. */
export const WHOAMI = {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
  },
  body: JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'whoami', arguments: {} },
  }),
};

/** One real call first, returning the load options: a load test of error answers would measure nothing. */
export async function whoamiLoad(url, headers = {}) {
  const options = {
    url,
    ...WHOAMI,
    headers: { ...WHOAMI.headers, ...headers },
  };
  const response = await fetch(url, options);
  const text = await response.text();
  if (response.status !== 200 || !text.includes('"result"') || text.includes('"isError":true')) {
    throw new Error(`whoami at ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return options;
}

/**
 * Refresh grants, each presenting a refresh token the server has just issued and nobody has used: every
 * request is a real rotation (never a reuse inside the grace window), as a client refreshing on schedule does.
 * A connection takes a token from the pool for each request and returns the rotated one with the answer.
 * (autocannon resets a connection's context after every request, so the pool is shared, not per connection.)
 * Seed it with 2 × CONNECTIONS tokens per load run: requests cut off at the end of a run lose theirs.
 */
export function refreshLoad(url, clientId, pool) {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requests: [
      {
        setupRequest(request) {
          const body = new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: clientId,
            refresh_token: pool.shift() ?? 'pool-exhausted',
          }).toString();
          return { ...request, body };
        },
        onResponse(status, body) {
          if (status === 200) pool.push(JSON.parse(body).refresh_token);
        },
      },
    ],
  };
}

export function registrationLoad(url) {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(clientMetadata()),
  };
}

/** The generated server with an account, a signed-in client and a pool of fresh grants. */
async function startGenerated(project, framework) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    // No NODE_ENV=production: the generated server's production checks refuse the http loopback URL a
    // bench needs (and the server reads NODE_ENV for nothing else).
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    DATABASE_URL: project.databasePath,
    RATE_LIMIT_REGISTER: UNLIMITED,
    RATE_LIMIT_TOKEN: UNLIMITED,
    RATE_LIMIT_TOKEN_PER_ADDRESS: UNLIMITED,
    RATE_LIMIT_LOGIN: UNLIMITED,
  };
  await run(process.execPath, ['dist/cli/add-user.js', ACCOUNT.email], {
    input: `${ACCOUNT.password}\n`,
    cwd: project.dir,
    env,
  });
  const profileDir = join(REPO, '.tmp', 'profiles', framework);
  if (PROFILE) await mkdir(profileDir, { recursive: true });
  const nodeArgs = PROFILE ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const server = await startServer(process.execPath, [...nodeArgs, 'dist/server.js'], {
    cwd: project.dir,
    env,
    readyUrl: `${baseUrl}/healthz`,
  });
  try {
    const session = await signIn(baseUrl, ACCOUNT);
    const grants = [];
    // Warm-up plus ROUNDS windows of the refresh load each may strand up to CONNECTIONS tokens.
    for (let i = 0; i < 6 * CONNECTIONS; i++) grants.push(await authorize(session));
    const mcp = await whoamiLoad(`${baseUrl}/mcp`, {
      authorization: `Bearer ${grants[0].access_token}`,
    });
    const refresh = refreshLoad(
      `${baseUrl}/oauth/token`,
      session.client.client_id,
      grants.map((grant) => grant.refresh_token),
    );
    const serverPid = server.pid;
    return {
      server,
      mcp: { ...mcp, serverPid },
      refresh: { ...refresh, serverPid },
      registration: {
        ...registrationLoad(`${baseUrl}/oauth/register`),
        serverPid,
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function startNoAuth(project, framework) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/mcp`;
  // Copied into the project so its imports resolve against the project's node_modules and dist.
  await copyFile(
    join(REPO, 'bench', 'no-auth-server.mjs'),
    join(project.dir, 'no-auth-server.mjs'),
  );
  const server = await startServer(
    process.execPath,
    ['no-auth-server.mjs', framework, String(port)],
    {
      cwd: project.dir,
      env: { NODE_ENV: 'production' },
      readyUrl: url,
    },
  );
  try {
    return {
      server,
      mcp: { ...(await whoamiLoad(url)), serverPid: server.pid },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

const ratio = (a, b) => Math.round((a / b) * 1000) / 1000;

/**
 * One framework: MCP whoami with auth against no auth (and against the peer, when one is given), in
 * alternating windows; then refresh grants (alternating with the peer's) and DCR on the generated server.
 */
export async function benchFramework(workspace, framework, log, peer) {
  const project = await prepareProject(join(workspace, 'runtime', framework), framework);
  log(`${framework}: project rendered, installed and built`);
  const ours = await startGenerated(project, framework);
  let noAuth;
  try {
    noAuth = await startNoAuth(project, framework);
    const [mcp, mcpNoAuth, mcpPeer] = await measureAlternating(
      peer ? [ours.mcp, noAuth.mcp, peer.mcp] : [ours.mcp, noAuth.mcp],
    );
    log(
      `${framework} MCP whoami: auth ${mcp.requestsPerSecond} req/s, no auth ${mcpNoAuth.requestsPerSecond} req/s${peer ? `, peer ${mcpPeer.requestsPerSecond} req/s` : ''}`,
    );
    const noAuthPeakRssMiB = noAuth.server.peakRssMiB();
    await noAuth.server.stop();
    noAuth = undefined;

    const [refresh, refreshPeer] = await measureAlternating(
      peer ? [ours.refresh, peer.refresh] : [ours.refresh],
    );
    log(
      `${framework} refresh grants: ${refresh.requestsPerSecond}/s${peer ? `, peer ${refreshPeer.requestsPerSecond}/s` : ''}`,
    );
    const registration = await measure(ours.registration);
    log(`${framework} DCR: ${registration.requestsPerSecond}/s`);

    const result = {
      framework,
      storage: 'sqlite',
      authenticated: {
        mcp,
        refresh,
        registration,
        peakRssMiB: ours.server.peakRssMiB(),
      },
      noAuth: { mcp: mcpNoAuth, peakRssMiB: noAuthPeakRssMiB },
      authOverNoAuth: ratio(mcp.requestsPerSecond, mcpNoAuth.requestsPerSecond),
      cpuPerRequestAuthOverNoAuth: ratio(
        mcp.serverCpuMsPerRequest,
        mcpNoAuth.serverCpuMsPerRequest,
      ),
    };
    if (peer) {
      result.peer = {
        stack: peer.stack,
        mcp: mcpPeer,
        refresh: refreshPeer,
        peakRssMiB: peer.server.peakRssMiB(),
        oursOverPeer: {
          cpuPerMcpRequest: ratio(mcp.serverCpuMsPerRequest, mcpPeer.serverCpuMsPerRequest),
          mcp: ratio(mcp.requestsPerSecond, mcpPeer.requestsPerSecond),
          refresh: ratio(refresh.requestsPerSecond, refreshPeer.requestsPerSecond),
        },
      };
    }
    return result;
  } finally {
    await noAuth?.server.stop();
    await ours.server.stop();
  }
}
