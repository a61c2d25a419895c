/**
 * npm run bench: generation time, runtime cost of auth per framework, and the MCP SDK v1 auth stack as a
 * peer, in one run on this machine. Prints a markdown table and writes .tmp/bench.json.
 * Needs `npm ci && npm run build` first. Loopback only; every wait is bounded.
 * Knobs (environment): BENCH_DURATION (s per load, 6), BENCH_WARMUP (s, 2), BENCH_ROUNDS (3), BENCH_CONNECTIONS (10),
 * BENCH_RENDER_RUNS (3), BENCH_FRAMEWORKS (express,fastify,hono), BENCH_ONLY (comma list of: render, runtime, peer, create; peer needs runtime with express), BENCH_CPU_PROF=1
 * (CPU profiles of the generated servers under .tmp/profiles/).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchFullCreate, benchRenderOnly } from './generation.mjs';
import { startPeer } from './peer.mjs';
import { REPO } from './project.mjs';
import { formatReport } from './report.mjs';
import { benchFramework } from './runtime.mjs';
import { CONNECTIONS, DURATION_SECONDS, ROUNDS, WARMUP_SECONDS } from './support.mjs';

const FRAMEWORKS = (process.env.BENCH_FRAMEWORKS ?? 'express,fastify,hono').split(',');
const PARTS = (process.env.BENCH_ONLY ?? 'render,runtime,peer,create').split(',');
const WORKSPACE = join(tmpdir(), 'create-mcp-oauth-server-bench');
const started = performance.now();

function log(message) {
  const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${seconds}s] ${message}\n`);
}

if (!existsSync(join(REPO, 'dist', 'cli.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
await mkdir(WORKSPACE, { recursive: true });

const results = {
  date: new Date().toISOString(),
  machine: {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverageAtStart: loadavg(),
  },
  settings: {
    connections: CONNECTIONS,
    durationSeconds: DURATION_SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    rounds: ROUNDS,
  },
  renderOnly: null,
  runtime: [],
  fullCreate: null,
};

if (PARTS.includes('render')) results.renderOnly = await benchRenderOnly(WORKSPACE, log);
// Runtime before the full create: its installs leave npm's cache warm for it.
// The peer runs beside the Express project, in the same alternating windows.
if (PARTS.includes('runtime')) {
  for (const framework of FRAMEWORKS) {
    const peer =
      framework === 'express' && PARTS.includes('peer') ? await startPeer(WORKSPACE) : undefined;
    try {
      results.runtime.push(await benchFramework(WORKSPACE, framework, log, peer));
    } finally {
      await peer?.server.stop();
    }
  }
}
if (PARTS.includes('create')) results.fullCreate = await benchFullCreate(WORKSPACE, log);

results.machine.loadAverageAtEnd = loadavg();
results.totalSeconds = Math.round((performance.now() - started) / 1000);
await mkdir(join(REPO, '.tmp'), { recursive: true });
await writeFile(join(REPO, '.tmp', 'bench.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(formatReport(results));
log('wrote .tmp/bench.json');
