/** Processes, ports and load generation shared by the benchmark parts. Every wait here is bounded. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
export const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 6);
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 2);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs a command to completion (bounded by timeoutMs); resolves with its output, rejects on failure.
 * `input` is written to its stdin (e.g. a password for user:add, which never takes one as an argument).
 */
export function run(command, args, { cwd, env, input, timeoutMs = 5 * 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} failed (${signal ?? code}):\n${stderr.slice(-2000)}${stdout.slice(-2000)}`,
          ),
        );
    });
  });
}

/** Starts a long-running server and waits until `readyUrl` answers (any status). */
export async function startServer(command, args, { cwd, env, readyUrl, timeoutMs = 30_000 }) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${args.join(' ')} exited with ${child.exitCode}:\n${output}`);
    try {
      await fetch(readyUrl, { signal: AbortSignal.timeout(1000) });
      return {
        pid: child.pid,
        output: () => output,
        /** Peak resident set size in MiB (VmHWM), read while the process still runs. */
        peakRssMiB: () => peakRssMiB(child.pid),
        stop: () => stopProcess(child),
      };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(
    `${args.join(' ')} did not answer ${readyUrl} within ${timeoutMs} ms:\n${output}`,
  );
}

function peakRssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
  return Math.round((kib / 1024) * 10) / 10;
}

function stopProcess(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function summary(result) {
  const failures = result.non2xx + result.errors + result.timeouts;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures,
  };
}

/** CPU time (user + system) the process has used so far, in ms; /proc counts in clock ticks of 10 ms. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * autocannon for `seconds`; throws when more than 1% of the requests failed. With `serverPid`, also the
 * server's CPU time per request: unlike throughput, it hardly moves when other work shares the machine.
 */
async function load({ serverPid, ...options }, seconds) {
  const cpuBefore = serverPid ? cpuMs(serverPid) : 0;
  const result = summary(
    await autocannon({
      ...options,
      connections: CONNECTIONS,
      duration: seconds,
    }),
  );
  if (serverPid) result.serverCpuMs = cpuMs(serverPid) - cpuBefore;
  if (result.failures > result.requests * 0.01) {
    throw new Error(`${options.url}: ${result.failures} of ${result.requests} requests failed`);
  }
  return result;
}

/**
 * autocannon for DURATION_SECONDS after a warm-up of the same shape; the warm-up result is dropped.
 * `options` are autocannon options (url, method, headers, body, requests), plus serverPid to count its CPU.
 */
export async function measure(options) {
  await load(options, WARMUP_SECONDS);
  return combine([await load(options, DURATION_SECONDS)]);
}

/**
 * Servers compared under the same machine load: after a warm-up of each, ROUNDS rounds of alternating
 * windows (a, b, c, a, b, c, ...) of DURATION_SECONDS / 2 each; each reports the median of its windows. Other
 * work on the machine then slows all of them alike instead of whichever happened to run at the time.
 */
export async function measureAlternating(loads) {
  for (const options of loads) await load(options, WARMUP_SECONDS);
  const windows = loads.map(() => []);
  const seconds = Math.max(1, Math.round(DURATION_SECONDS / 2));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, options] of loads.entries())
      windows[index].push(await load(options, seconds));
  }
  return windows.map(combine);
}

function combine(results) {
  const cpu = results.every((result) => result.serverCpuMs !== undefined)
    ? results.reduce((sum, result) => sum + result.serverCpuMs, 0)
    : undefined;
  const requests = results.reduce((sum, result) => sum + result.requests, 0);
  return {
    requestsPerSecond: median(results.map((result) => result.requestsPerSecond)),
    p50Ms: median(results.map((result) => result.p50Ms)),
    p99Ms: median(results.map((result) => result.p99Ms)),
    requests,
    failures: results.reduce((sum, result) => sum + result.failures, 0),
    ...(cpu === undefined
      ? {}
      : { serverCpuMsPerRequest: Math.round((cpu / requests) * 1000) / 1000 }),
    windows: results.map((result) => result.requestsPerSecond),
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
