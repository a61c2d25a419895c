import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANSWERS, type Answers } from '../src/options.js';
import { ownershipOf } from '../src/render/ownership.js';
import { renderProject } from '../src/render/render.js';
import { VERSIONS } from '../src/versions.js';
import { makeTempDir } from './helpers/temp-dir.js';

const FIXTURE_TEMPLATES = fileURLToPath(new URL('fixtures/templates', import.meta.url));
const answers: Answers = { projectName: 'demo', ...DEFAULT_ANSWERS };

function fileMap(files: Awaited<ReturnType<typeof renderProject>>) {
  return Object.fromEntries(files.map((file) => [file.path, file.contents]));
}

describe('renderProject with fixture templates', () => {
  it('layers base, framework and storage; a later layer replaces a file of an earlier one', async () => {
    const sqlite = fileMap(await renderProject(answers, FIXTURE_TEMPLATES));
    expect(sqlite['src/adapter.ts']).toBe("export const adapter = 'express';\n");
    expect(sqlite['src/storage/kind.ts']).toBe(
      "export const storage = 'sqlite';\nexport const file = './data/demo.db';\n",
    );
    const memory = fileMap(await renderProject({ ...answers, storage: 'memory' }, FIXTURE_TEMPLATES));
    expect(memory['src/storage/kind.ts']).toBe("export const storage = 'memory';\n");
  });

  it('renders .hbs with the context and helpers, drops the suffix, and formats TypeScript with prettier', async () => {
    const files = fileMap(
      await renderProject({ ...answers, scopes: ['notes:read', 'notes:write'] }, FIXTURE_TEMPLATES),
    );
    expect(files['src/app.ts']).toBe(
      [
        "export const framework = 'express';",
        "export const scopes: string[] = ['notes:read', 'notes:write'];",
        "export const baseline = 'notes:read';",
        'export const persistent = true;',
        '',
      ].join('\n'),
    );
    expect(files['versions.txt']).toBe(`typescript ${VERSIONS.typescript}\n`);
    expect(JSON.parse(files['package.json']!).name).toBe('demo');
  });

  it('copies files without .hbs as they are and turns a leading _ into a dot', async () => {
    const files = fileMap(await renderProject(answers, FIXTURE_TEMPLATES));
    expect(files['notes.txt']).toBe('copied as is: {{notAVariable}}\n');
    expect(files['.gitignore']).toBe('node_modules/\n.env\n');
    expect(Object.keys(files)).not.toContain('_gitignore');
  });

  it('fails on an unknown variable, an unknown package version and invalid TypeScript', async () => {
    const broken = async (name: string, contents: string) => {
      const dir = await makeTempDir();
      await cp(FIXTURE_TEMPLATES, dir, { recursive: true });
      await writeFile(path.join(dir, 'base', name), contents);
      return renderProject(answers, dir);
    };
    await expect(broken('x.txt.hbs', '{{noSuchVariable}}')).rejects.toThrow(
      /x\.txt\.hbs: "noSuchVariable" not defined/,
    );
    await expect(broken('y.txt.hbs', '{{version "left-pad"}}')).rejects.toThrow(
      'src/versions.ts has no version for "left-pad"',
    );
    await expect(broken('z.ts.hbs', 'export const = ;')).rejects.toThrow(/rendered z\.ts is not valid typescript/);
  });
});

describe('rendering the real templates', () => {
  it('is pure: two renders of the same answers are byte-identical', async () => {
    const first = await renderProject(answers);
    const second = await renderProject(answers);
    expect(first.length).toBeGreaterThan(10);
    expect(second).toEqual(first);
  });
});

describe('ownership', () => {
  it('assigns ownership by path', () => {
    expect(ownershipOf('package.json')).toBe('merged');
    expect(ownershipOf('src/tools/whoami.ts')).toBe('sample');
    expect(ownershipOf('src/users/accounts.ts')).toBe('sample');
    expect(ownershipOf('src/oauth/token.ts')).toBe('managed');
    expect(ownershipOf('test/tools.test.ts')).toBe('managed');
  });
});
