// Formats the templates that are copied as they are (no .hbs) in the generated project's style.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const root = fileURLToPath(new URL('../templates', import.meta.url));
const parsers = { '.ts': 'typescript', '.js': 'babel', '.mjs': 'babel', '.json': 'json' };
const options = JSON.parse(await readFile(path.join(root, 'base/_prettierrc'), 'utf8'));

let changed = 0;
for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
  const parser = parsers[path.extname(entry.name)];
  if (!entry.isFile() || !parser) continue;
  const file = path.join(entry.parentPath, entry.name);
  const source = await readFile(file, 'utf8');
  const formatted = await prettier.format(source, { ...options, parser });
  if (formatted !== source) {
    await writeFile(file, formatted);
    changed += 1;
    console.log(`formatted ${path.relative(root, file)}`);
  }
}
console.log(`${changed} template file(s) formatted`);
