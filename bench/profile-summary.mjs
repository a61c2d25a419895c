/**
 * Summarises a .cpuprofile (from BENCH_CPU_PROF=1 npm run bench): the functions with the most self time and
 * the most inclusive time, so a bottleneck can be named with evidence.
 * Usage: node bench/profile-summary.mjs <file.cpuprofile> [rows=25] [filter regexp for inclusive rows]
 */
import { readFileSync } from 'node:fs';

const [file, rowsArgument = '25', filter] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [rows] [filter]');
  process.exit(2);
}
const rows = Number(rowsArgument);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parents.set(child, node.id);

function label(node) {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url.replace(/^file:\/\/.*?node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/')}:${lineNumber + 1}`
    : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

const self = new Map();
const inclusive = new Map();
let total = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  total += delta;
  const leaf = label(nodes.get(id));
  self.set(leaf, (self.get(leaf) ?? 0) + delta);
  const seen = new Set();
  for (let current = id; current !== undefined; current = parents.get(current)) {
    const name = label(nodes.get(current));
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + delta);
  }
});

const percent = (value) => `${((value / total) * 100).toFixed(1).padStart(5)}%`;
function print(title, map, pattern) {
  console.log(`\n${title}`);
  const entries = [...map].filter(([name]) => !pattern || new RegExp(pattern).test(name));
  for (const [name, time] of entries.sort((a, b) => b[1] - a[1]).slice(0, rows))
    console.log(`${percent(time)}  ${name}`);
}
console.log(`${(total / 1e6).toFixed(1)} s sampled`);
print('self time', self);
print('inclusive time', inclusive, filter);
