import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FRAMEWORKS, PACKAGE_MANAGERS, STORAGES, SUPPORTED_COMBINATIONS } from '../src/options.js';
import { quirksAsMarkdown } from '../src/quirks-report.js';

const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');

describe('README.md', () => {
  it('starts with the set-up-and-run command and the test command', () => {
    const firstBlock = /^# create-mcp-oauth-server\n\n```sh\n([^`]+)```/.exec(readme)?.[1] ?? '';
    const commands = firstBlock.trim().split('\n');
    expect(commands[0]).toMatch(/^npm ci && npm run build && node bin\/create-mcp-oauth-server\.js my-server --yes\s/);
    expect(commands[1]).toMatch(/^npm test\s/);
  });

  it('carries the quirk table of src/quirks.ts (npm run readme:update refreshes it)', () => {
    const section = /<!-- quirks:start -->\n([\s\S]*)<!-- quirks:end -->/.exec(readme)?.[1];
    expect(section).toBe(quirksAsMarkdown());
  });

  it('documents every flag and value', () => {
    for (const flag of [
      '--framework',
      '--storage',
      '--scopes',
      '--login',
      '--package-manager',
      '--no-install',
      '--no-verify',
      '--no-git',
      '--yes',
      '--overwrite',
      '--dry-run',
      '--json',
    ]) {
      expect(readme, flag).toContain(`\`${flag}\``);
    }
    for (const value of [...FRAMEWORKS.map((f) => f.value), ...STORAGES.map((s) => s.value), ...PACKAGE_MANAGERS]) {
      expect(readme, value).toContain(`\`${value}\``);
    }
  });

  it('lists exactly the available framework + storage combinations (npm run readme:update refreshes it)', () => {
    const line = /Available framework \+ storage combinations: ([^.]+)\./.exec(readme.replaceAll('\n', ' '))?.[1] ?? '';
    const listed = line.split(',').map((entry) => entry.trim().replaceAll('`', ''));
    expect(listed).toEqual(SUPPORTED_COMBINATIONS.map((c) => `${c.framework}+${c.storage}`));
  });
});
