import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Answers } from '../options.js';
import { QUIRK_IDS } from '../quirks.js';
import { STORAGE_SERVERS } from '../storage-servers.js';
import { GENERATOR_VERSION } from '../version.js';
import { TEMPLATES_DIR } from '../paths.js';
import { compileTemplate, createTemplateEngine } from './handlebars.js';
import { formatSource, parserFor } from './format.js';
import { formattedKey, loadRenderCache, PROJECT_NAME_STAND_IN, type RenderCache } from './render-cache.js';
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

/** Every file of a project: its output path and the template it comes from, in output-path order. */
export async function templateSources(answers: Answers, templatesDir = TEMPLATES_DIR): Promise<Array<[string, string]>> {
  const sources = new Map<string, string>();
  for (const layer of layersFor(answers)) {
    const layerDir = path.join(templatesDir, layer);
    for (const file of await listFiles(layerDir)) sources.set(outputPathOf(file), path.join(layerDir, file));
  }
  return [...sources].sort(([a], [b]) => (a < b ? -1 : 1));
}

/** A .hbs template rendered and formatted: from the render cache when the build saw this render, else by prettier. */
async function renderFormatted(
  template: (context: object) => string,
  context: ReturnType<typeof templateContext>,
  outputPath: string,
  cache: RenderCache,
): Promise<string> {
  if (parserFor(outputPath)) {
    const standIn = template({ ...context, projectName: PROJECT_NAME_STAND_IN });
    const cached = cache.formatted.get(formattedKey(outputPath, standIn));
    if (cached !== undefined) return cached.replaceAll(PROJECT_NAME_STAND_IN, context.projectName);
  }
  return formatSource(outputPath, template(context));
}

/** A pure function of the answers and the templates: no clock, no randomness, no environment. */
export async function renderProject(
  answers: Answers,
  templatesDir = TEMPLATES_DIR,
  cache?: RenderCache,
): Promise<RenderedFile[]> {
  const engine = createTemplateEngine();
  const context = templateContext(answers);
  cache ??= await loadRenderCache();
  const files: RenderedFile[] = [];
  for (const [outputPath, sourcePath] of await templateSources(answers, templatesDir)) {
    const source = await readFile(sourcePath, 'utf8');
    const contents = sourcePath.endsWith('.hbs')
      ? await renderFormatted(compileTemplate(engine, source, sourcePath, cache.templates), context, outputPath, cache)
      : source;
    files.push({
      path: outputPath,
      contents,
      ownership: ownershipOf(outputPath),
    });
  }
  return files;
}
