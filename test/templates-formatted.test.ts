import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { PRETTIER_OPTIONS, parserFor } from '../src/render/format.js';
import { TEMPLATES_DIR } from '../src/paths.js';

/**
 * Rendering formats only .hbs output; every other template file is copied byte for byte, so it must
 * already be in the generated project's style. `npm run templates:format` fixes what this finds.
 */
async function staticSourceTemplates(): Promise<string[]> {
  const entries = await readdir(TEMPLATES_DIR, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.hbs') && parserFor(entry.name) !== undefined)
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('templates copied as they are', () => {
  it('are already formatted with the generated project prettier settings', async () => {
    const files = await staticSourceTemplates();
    expect(files.length).toBeGreaterThan(20);
    const unformatted: string[] = [];
    for (const file of files) {
      const source = await readFile(file, 'utf8');
      const options = { ...PRETTIER_OPTIONS, parser: parserFor(file) };
      if (!(await prettier.check(source, options))) unformatted.push(path.relative(TEMPLATES_DIR, file));
    }
    expect(unformatted, 'run npm run templates:format').toEqual([]);
  });
});
