// Rewrites the generated sections of README.md through the built CLI, so the README stays true:
// the quirk table (`quirks --markdown`, from src/quirks.ts) and the list of available framework + storage
// combinations (the last lines of `--help`, from SUPPORTED_COMBINATIONS in src/options.ts).
// Run with `npm run readme:update`; test/readme.test.ts fails while README.md and the sources disagree.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/create-mcp-oauth-server.js', import.meta.url));
const cli = (...args) =>
  execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

const combinations = /combinations so far: ([^.]+)\./.exec(cli('--help').replaceAll('\n', ' '))?.[1];
if (!combinations) throw new Error('--help no longer lists the available combinations');

const sections = {
  quirks: cli('quirks', '--markdown'),
  combinations: `Available framework + storage combinations: ${combinations
    .split(', ')
    .map((combination) => `\`${combination}\``)
    .join(', ')}.\n`,
};

const readmeUrl = new URL('../README.md', import.meta.url);
let readme = readFileSync(readmeUrl, 'utf8');
for (const [name, body] of Object.entries(sections)) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from === -1 || to < from) throw new Error(`README.md needs ${start} and ${end}`);
  readme = `${readme.slice(0, from + start.length)}\n${body}${readme.slice(to)}`;
}
writeFileSync(readmeUrl, readme);
