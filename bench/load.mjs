/**
 * Load: LOAD_CLIENTS virtual clients for LOAD_SECONDS against one generated express server per storage.
 * Each client loops: a full OAuth flow (DCR, login, consent, PKCE code exchange), 5 MCP whoami calls, one
 * refresh grant, 2 more MCP calls with the new token. Every HTTP request is timed and checked; any
 * unexpected status or network failure is an error, and any error makes the script exit non-zero.
 * Prints a markdown table and writes every number to .tmp/load.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { authorize, signIn } from './oauth-flow.mjs';
import { prepareProject, REPO } from './project.mjs';
import { WHOAMI } from './runtime.mjs';
import { freePort, run, startServer } from './support.mjs';

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 8);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 15);
const WORKSPACE = join(tmpdir(), 'create-mcp-oauth-server-bench');
const STORAGES = ['sqlite', 'memory', 'postgres', 'redis'];
const ACCOUNT = { email: 'load@example.com', password: 'load-password-123' };
const UNLIMITED = '1000000000';
const MCP_CALLS_BEFORE_REFRESH = 5;
const MCP_CALLS_AFTER_REFRESH = 2;

/** Request kinds in table order, with the status each must answer. */
const EXPECTED_STATUS = {
  register: 201,
  authorize: 200,
  login: 302,
  consent: 302,
  code: 200,
  mcp: 200,
  refresh: 200,
};
const KINDS = Object.keys(EXPECTED_STATUS);

function log(message) {
  console.error(`[load] ${message}`);
}

/** Which step a request of the flow is, from its method, path and (for /oauth/token) grant type. */
function requestKind(method, url, body) {
  const path = new URL(url).pathname;
  if (path === '/oauth/register') return 'register';
  if (path === '/oauth/authorize') return method === 'GET' ? 'authorize' : 'consent';
  if (path === '/oauth/login') return 'login';
  if (path === '/mcp') return 'mcp';
  if (path === '/oauth/token')
    return new URLSearchParams(String(body)).get('grant_type') === 'refresh_token'
      ? 'refresh'
      : 'code';
  return undefined;
}

/** An MCP answer is only good with a result that is not a tool error. */
function unexpectedAnswer(kind, status, text) {
  if (status !== EXPECTED_STATUS[kind]) return `${kind} answered ${status}: ${text.slice(0, 200)}`;
  if (kind === 'mcp' && (!text.includes('"result"') || text.includes('"isError":true')))
    return `mcp answered without a result: ${text.slice(0, 200)}`;
  return undefined;
}

/**
 * oauth-flow.mjs calls the global fetch; while `recording` is set, every request of a known kind is timed
 * until its body has arrived and checked against its expected status. The body is buffered and handed on.
 */
let recording;
const plainFetch = globalThis.fetch;
globalThis.fetch = async function timedFetch(input, init = {}) {
  const method = init.method ?? 'GET';
  const kind = recording && requestKind(method, String(input), init.body);
  if (!kind) return plainFetch(input, init);
  const started = performance.now();
  let response;
  let body;
  try {
    response = await plainFetch(input, init);
    body = await response.arrayBuffer();
  } catch (error) {
    recording.record(kind, performance.now() - started, `${kind}: ${error.message}`);
    throw error;
  }
  const text = Buffer.from(body).toString('utf8');
  recording.record(
    kind,
    performance.now() - started,
    unexpectedAnswer(kind, response.status, text),
  );
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
};

class Recording {
  latencies = Object.fromEntries(KINDS.map((kind) => [kind, []]));
  errors = [];

  record(kind, ms, error) {
    this.latencies[kind].push(ms);
    if (error) this.errors.push(error);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)] * 10) / 10;
}

function latencySummary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

async function callWhoami(baseUrl, accessToken) {
  await fetch(`${baseUrl}/mcp`, {
    ...WHOAMI,
    headers: { ...WHOAMI.headers, authorization: `Bearer ${accessToken}` },
  });
}

async function refreshGrant(baseUrl, clientId, refreshToken) {
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: refreshToken,
    }).toString(),
  });
  const json = await response.json();
  if (response.status !== 200) throw new Error(`refresh answered ${response.status}`);
  return json;
}

/** One virtual client, looping until `deadline`; an iteration started before it runs to its end. */
async function virtualClient(baseUrl, deadline, counts) {
  while (Date.now() < deadline) {
    try {
      const session = await signIn(baseUrl, ACCOUNT);
      const grant = await authorize(session);
      counts.flows++;
      for (let i = 0; i < MCP_CALLS_BEFORE_REFRESH; i++)
        await callWhoami(baseUrl, grant.access_token);
      const refreshed = await refreshGrant(baseUrl, session.client.client_id, grant.refresh_token);
      for (let i = 0; i < MCP_CALLS_AFTER_REFRESH; i++)
        await callWhoami(baseUrl, refreshed.access_token);
      counts.iterations++;
    } catch (error) {
      counts.failedIterations.push(error.message);
    }
  }
}

async function reachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The server's environment for `storage`, plus how to remove what the run left in a shared server. */
function storageSetup(storage, dir) {
  const id = randomBytes(4).toString('hex');
  const requireFromProject = createRequire(join(dir, 'package.json'));
  if (storage === 'sqlite') {
    const file = join(dir, `load-${id}.db`);
    return {
      env: { DATABASE_URL: file },
      cleanUp: async () => {
        for (const suffix of ['', '-wal', '-shm', '-journal'])
          await rm(file + suffix, { force: true });
      },
    };
  }
  if (storage === 'memory') return { env: {}, cleanUp: async () => {} };
  if (storage === 'postgres') {
    const url = process.env.DATABASE_URL || 'postgres://mcp:mcp@127.0.0.1:5432/mcp';
    const schema = `load_${id}`;
    return {
      serviceUrl: url,
      env: { DATABASE_URL: url, DATABASE_SCHEMA: schema },
      cleanUp: async () => {
        const { Client } = requireFromProject('pg');
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await client.end();
        }
      },
    };
  }
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const prefix = `load-${id}:`;
  return {
    serviceUrl: url,
    env: { REDIS_URL: url, REDIS_KEY_PREFIX: prefix },
    cleanUp: async () => {
      const { Redis } = requireFromProject('ioredis');
      const redis = new Redis(url);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

async function loadStorage(storage) {
  const dir = join(WORKSPACE, `load-${storage}`);
  const setup = storageSetup(storage, dir);
  if (setup.serviceUrl && !(await reachable(setup.serviceUrl))) {
    const where = new URL(setup.serviceUrl).host;
    log(
      `${storage}: SKIPPED, no server answers at ${where} (bash scripts/start-test-services.sh starts one)`,
    );
    return { storage, skipped: `no server at ${where}` };
  }
  await prepareProject(dir, 'express', storage);
  log(`${storage}: project rendered, installed and built in ${dir}`);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    // No NODE_ENV=production: the generated server's production checks refuse the http loopback URL a
    // bench needs (and the server reads NODE_ENV for nothing else).
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    RATE_LIMIT_REGISTER: UNLIMITED,
    RATE_LIMIT_TOKEN: UNLIMITED,
    RATE_LIMIT_TOKEN_PER_ADDRESS: UNLIMITED,
    RATE_LIMIT_LOGIN: UNLIMITED,
    ...setup.env,
  };
  let server;
  try {
    // The memory store lives in the server process: it makes the account from BOOTSTRAP_USER_* at start.
    if (storage === 'memory') {
      env.BOOTSTRAP_USER_EMAIL = ACCOUNT.email;
      env.BOOTSTRAP_USER_PASSWORD = ACCOUNT.password;
    } else {
      await run(process.execPath, ['dist/cli/add-user.js', ACCOUNT.email], {
        input: `${ACCOUNT.password}\n`,
        cwd: dir,
        env,
      });
    }
    server = await startServer(process.execPath, ['dist/server.js'], {
      cwd: dir,
      env,
      readyUrl: `${baseUrl}/healthz`,
    });

    recording = new Recording();
    const counts = { flows: 0, iterations: 0, failedIterations: [] };
    const started = performance.now();
    const deadline = Date.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CLIENTS }, () => virtualClient(baseUrl, deadline, counts)),
    );
    const elapsedSeconds = (performance.now() - started) / 1000;
    const { latencies, errors } = recording;
    recording = undefined;

    const all = KINDS.flatMap((kind) => latencies[kind]);
    const result = {
      storage,
      clients: CLIENTS,
      seconds: Math.round(elapsedSeconds * 10) / 10,
      flows: counts.flows,
      iterations: counts.iterations,
      requests: all.length,
      requestsPerSecond: Math.round(all.length / elapsedSeconds),
      errors: errors.length,
      failedIterations: counts.failedIterations.length,
      firstErrors: [...errors, ...counts.failedIterations].slice(0, 5),
      latency: {
        ...Object.fromEntries(KINDS.map((kind) => [kind, latencySummary(latencies[kind])])),
        overall: latencySummary(all),
      },
      peakRssMiB: server.peakRssMiB(),
    };
    log(
      `${storage}: ${result.flows} flows, ${result.requests} requests (${result.requestsPerSecond}/s), ${result.errors} errors`,
    );
    return result;
  } finally {
    await server?.stop();
    await setup.cleanUp();
  }
}

function cell({ p50Ms, p99Ms }) {
  return p50Ms === null ? '-' : `${p50Ms} / ${p99Ms}`;
}

function table(results) {
  const header = [
    'storage',
    'flows',
    'requests',
    'req/s',
    'errors',
    'failed loops',
    ...KINDS.map((kind) => `${kind} p50/p99 ms`),
    'overall p50/p99 ms',
  ];
  const rows = results.map((result) =>
    result.skipped
      ? [result.storage, `skipped: ${result.skipped}`, ...header.slice(2).map(() => '')]
      : [
          result.storage,
          result.flows,
          result.requests,
          result.requestsPerSecond,
          result.errors,
          result.failedIterations,
          ...KINDS.map((kind) => cell(result.latency[kind])),
          cell(result.latency.overall),
        ],
  );
  return [header, header.map(() => '---'), ...rows]
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n');
}

async function main() {
  log(
    `${CLIENTS} clients x ${SECONDS} s per storage; steps: register, authorize page, login, consent, code exchange, ${MCP_CALLS_BEFORE_REFRESH} mcp, refresh, ${MCP_CALLS_AFTER_REFRESH} mcp`,
  );
  const results = [];
  for (const storage of STORAGES) results.push(await loadStorage(storage));

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    clients: CLIENTS,
    seconds: SECONDS,
    framework: 'express',
    results,
  };
  await mkdir(join(REPO, '.tmp'), { recursive: true });
  await writeFile(join(REPO, '.tmp', 'load.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(table(results));
  console.log('\nWritten to .tmp/load.json');

  const failing = results.filter((result) => result.errors + result.failedIterations > 0);
  for (const result of failing)
    log(`${result.storage}: errors, first ones:\n  ${result.firstErrors.join('\n  ')}`);
  if (failing.length > 0) process.exitCode = 1;
}

await main();
