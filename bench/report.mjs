/** The markdown report of one benchmark run, with where each number stands against its goal. */

const GOALS = {
  renderOnlyMs: 1000,
  authOverNoAuth: 0.9,
  oursOverPeer: 1,
};

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const ratio = (value) => value.toFixed(2);
const verdict = (ok) => (ok ? 'meets goal' : 'misses goal');

function renderSection({ renderOnly, fullCreate }) {
  const lines = [];
  if (renderOnly) {
    lines.push(
      '### Generation: render only (`--no-install --no-git --yes`, process wall time, median)',
      '',
    );
    lines.push('| framework | storage | median | runs |', '| --- | --- | ---: | --- |');
    for (const row of renderOnly) {
      lines.push(
        `| ${row.framework} | ${row.storage} | ${seconds(row.medianMs)} | ${row.runsMs.map(seconds).join(', ')} |`,
      );
    }
    const worst = Math.max(...renderOnly.map((row) => row.medianMs));
    lines.push(
      '',
      `Slowest median ${seconds(worst)}; goal < ${seconds(GOALS.renderOnlyMs)}: ${verdict(worst < GOALS.renderOnlyMs)}.`,
      '',
    );
  }
  if (fullCreate) {
    const tests = fullCreate.tests ? ` (${JSON.stringify(fullCreate.tests)})` : '';
    lines.push(
      `### Generation: full default create (${fullCreate.framework} + ${fullCreate.storage}, warm npm cache)`,
      '',
    );
    lines.push(
      '| render | install | verify (type check + tests) | total |',
      '| ---: | ---: | ---: | ---: |',
    );
    lines.push(
      `| ${seconds(fullCreate.renderMs)} | ${seconds(fullCreate.installMs)} | ${seconds(fullCreate.verifyMs)}${tests} | ${seconds(fullCreate.wallMs)} |`,
      '',
    );
  }
  return lines;
}

function runtimeSection({ runtime, settings }) {
  if (runtime.length === 0) return [];
  const lines = [
    '### Runtime, sqlite storage',
    '',
    `autocannon, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up per server. MCP and refresh: medians of ${settings.rounds} alternating windows of ${Math.max(1, Math.round(settings.durationSeconds / 2))} s per server (auth, no auth, peer, auth, ...); DCR: one ${settings.durationSeconds} s run.`,
    '',
    '| framework | MCP whoami, auth (req/s) | p50 / p99 | no auth (req/s) | p50 / p99 | auth / no-auth | server CPU ms/req auth / no-auth | refresh grants/s | DCR/s | peak RSS auth / no-auth |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of runtime) {
    const { authenticated: auth, noAuth } = row;
    lines.push(
      `| ${row.framework} | ${auth.mcp.requestsPerSecond} | ${auth.mcp.p50Ms} / ${auth.mcp.p99Ms} ms | ${noAuth.mcp.requestsPerSecond} | ${noAuth.mcp.p50Ms} / ${noAuth.mcp.p99Ms} ms | ${ratio(row.authOverNoAuth)} | ${auth.mcp.serverCpuMsPerRequest} / ${noAuth.mcp.serverCpuMsPerRequest} (×${ratio(row.cpuPerRequestAuthOverNoAuth)}) | ${auth.refresh.requestsPerSecond} | ${auth.registration.requestsPerSecond} | ${auth.peakRssMiB} / ${noAuth.peakRssMiB} MiB |`,
    );
  }
  const worst = Math.min(...runtime.map((row) => row.authOverNoAuth));
  const worstCpu = Math.max(...runtime.map((row) => row.cpuPerRequestAuthOverNoAuth));
  lines.push(
    '',
    `Lowest auth / no-auth throughput ${ratio(worst)}; goal ≥ ${GOALS.authOverNoAuth} (auth costs at most 10%): ${verdict(worst >= GOALS.authOverNoAuth)}.`,
    `Highest server CPU per request, auth / no-auth: ×${ratio(worstCpu)} (the same goal is ≤ ×${ratio(1 / GOALS.authOverNoAuth)}; CPU per request is the steadier figure when other work shares the machine).`,
    '',
  );
  return lines;
}

function peerSection({ runtime }) {
  const express = runtime.find((row) => row.peer);
  if (!express) return [];
  const { peer, authenticated: ours } = express;
  const row = (label, peerValue, ourValue, unit = '') =>
    `| ${label} | ${peerValue}${unit} | ${ourValue}${unit} | ${ratio(ourValue / peerValue)} |`;
  const worst = Math.min(peer.oursOverPeer.mcp, peer.oursOverPeer.refresh);
  return [
    `### Peer: ${peer.stack} (same alternating windows as the Express rows)`,
    '',
    '| measure | peer | ours (express + sqlite) | ours / peer |',
    '| --- | ---: | ---: | ---: |',
    row('MCP whoami with auth (req/s)', peer.mcp.requestsPerSecond, ours.mcp.requestsPerSecond),
    `| MCP whoami p50 / p99 | ${peer.mcp.p50Ms} / ${peer.mcp.p99Ms} ms | ${ours.mcp.p50Ms} / ${ours.mcp.p99Ms} ms | |`,
    `| MCP whoami server CPU ms/req | ${peer.mcp.serverCpuMsPerRequest} | ${ours.mcp.serverCpuMsPerRequest} | ${ratio(ours.mcp.serverCpuMsPerRequest / peer.mcp.serverCpuMsPerRequest)} (lower is better) |`,
    row('refresh grants/s', peer.refresh.requestsPerSecond, ours.refresh.requestsPerSecond),
    `| refresh server CPU ms/req | ${peer.refresh.serverCpuMsPerRequest} | ${ours.refresh.serverCpuMsPerRequest} | ${ratio(ours.refresh.serverCpuMsPerRequest / peer.refresh.serverCpuMsPerRequest)} (lower is better) |`,
    row('peak RSS', peer.peakRssMiB, ours.peakRssMiB, ' MiB'),
    '',
    `Lowest ours / peer ${ratio(worst)}; goal ≥ ${GOALS.oursOverPeer}: ${verdict(worst >= GOALS.oursOverPeer)}.`,
    '',
  ];
}

export function formatReport(results) {
  const { machine } = results;
  const load = (values) => values.map((value) => value.toFixed(2)).join(' ');
  return [
    `## Benchmarks (${results.date}, Node ${machine.node}, ${machine.cpus} × ${machine.cpuModel})`,
    '',
    `Load average at start ${load(machine.loadAverageAtStart)}, at end ${load(machine.loadAverageAtEnd)}; the load generator shares the machine with the server.`,
    '',
    ...renderSection(results),
    ...runtimeSection(results),
    ...peerSection(results),
    `Total ${results.totalSeconds} s. JSON: .tmp/bench.json`,
    '',
  ].join('\n');
}
