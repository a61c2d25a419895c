import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Answers } from '../options.js';
import { QUIRK_IDS } from '../quirks.js';
import { STORAGE_SERVERS } from '../storage-servers.js';
import { GENERATOR_VERSION } from '../version.js';
import { TEMPLATES_DIR } from '../paths.js';
import { createTemplateEngine, renderTemplate } from './handlebars.js';
import { formatSource } from './format.js';
import { ownershipOf, type Ownership } from './ownership.js';

export interface RenderedFile {
  /** POSIX path relative to the project root. */
  path: string;
  contents: string;
  ownership: Ownership;
}

/** Later layers replace files of earlier ones with the same output path. */
function layersFor(answers: Answers): string[] {
  return ['base', `framework/${answers.framework}`, `storage/${answers.storage}`];
}

/** `_gitignore` -> `.gitignore` (npm drops dotfiles from published packages); `x.ts.hbs` -> `x.ts`. */
function outputPathOf(templatePath: string): string {
  const parts = templatePath.split('/').map((part) => (part.startsWith('_') ? `.${part.slice(1)}` : part));
  return parts.join('/').replace(/\.hbs$/, '');
}

async function listFiles(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

export function templateContext(answers: Answers) {
  return {
    storageServer: STORAGE_SERVERS[answers.storage],
    ...answers,
    generatorVersion: GENERATOR_VERSION,
    baselineScope: answers.scopes[0],
    writeScope: answers.scopes[1] ?? answers.scopes[0],
    hasWriteScope: answers.scopes.length > 1,
    quirkIds: QUIRK_IDS,
    [answers.framework]: true,
    [answers.storage]: true,
  };
}

/** A pure function of the answers and the templates: no clock, no randomness, no environment. */
export async function renderProject(answers: Answers, templatesDir = TEMPLATES_DIR): Promise<RenderedFile[]> {
  const engine = createTemplateEngine();
  const context = templateContext(answers);
  const sources = new Map<string, string>();
  for (const layer of layersFor(answers)) {
    const layerDir = path.join(templatesDir, layer);
    for (const file of await listFiles(layerDir)) sources.set(outputPathOf(file), path.join(layerDir, file));
  }
  const files: RenderedFile[] = [];
  for (const [outputPath, sourcePath] of [...sources].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const source = await readFile(sourcePath, 'utf8');
    const contents = sourcePath.endsWith('.hbs')
      ? await formatSource(outputPath, renderTemplate(engine, source, context, sourcePath))
      : source;
    files.push({
      path: outputPath,
      contents,
      ownership: ownershipOf(outputPath),
    });
  }
  return files;
}
