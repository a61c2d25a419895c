/**
 * `npm run build` runs this after bundling. It precompiles every .hbs template, and renders each for every
 * supported combination with the default answers and formats it with prettier, into the render cache
 * (src/render/render-cache.ts), so that a create with those answers neither compiles nor loads prettier.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_ANSWERS, SUPPORTED_COMBINATIONS, type Answers } from './options.js';
import { TEMPLATES_DIR } from './paths.js';
import { formatSource, parserFor } from './render/format.js';
import { compileTemplate, createTemplateEngine, precompileTemplate, templateKey } from './render/handlebars.js';
import { formattedKey, PROJECT_NAME_STAND_IN, writeRenderCache } from './render/render-cache.js';
import { templateContext, templateSources } from './render/render.js';

/** npm allows names of 1 to 214 characters: a file is cached only if both ends format alike. */
const NAME_LENGTHS = [1, 214];

const engine = createTemplateEngine();

async function precompileAll(): Promise<Map<string, string>> {
  const specs = new Map<string, string>();
  for (const entry of await readdir(TEMPLATES_DIR, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.hbs')) continue;
    const source = await readFile(path.join(entry.parentPath, entry.name), 'utf8');
    specs.set(templateKey(source), precompileTemplate(engine, source));
  }
  return specs;
}

/** Adds the formatted renders of one combination; returns how many files it had to leave to prettier. */
async function formatCombination(answers: Answers, formatted: Map<string, string>): Promise<number> {
  const context = templateContext(answers);
  let left = 0;
  for (const [outputPath, sourcePath] of await templateSources(answers)) {
    if (!sourcePath.endsWith('.hbs') || !parserFor(outputPath)) continue;
    const template = compileTemplate(engine, await readFile(sourcePath, 'utf8'), sourcePath);
    const render = (projectName: string) => template({ ...context, projectName });
    const unformatted = render(PROJECT_NAME_STAND_IN);
    const result = await formatSource(outputPath, unformatted);
    let nameIndependent = true;
    for (const length of NAME_LENGTHS) {
      const name = 'n'.repeat(length);
      if (result.replaceAll(PROJECT_NAME_STAND_IN, name) !== (await formatSource(outputPath, render(name)))) {
        nameIndependent = false;
      }
    }
    if (nameIndependent) formatted.set(formattedKey(outputPath, unformatted), result);
    else left += 1;
  }
  return left;
}

const formatted = new Map<string, string>();
let left = 0;
for (const { framework, storage } of SUPPORTED_COMBINATIONS) {
  const answers: Answers = { projectName: PROJECT_NAME_STAND_IN, ...DEFAULT_ANSWERS, framework, storage };
  left += await formatCombination(answers, formatted);
}
const templates = await precompileAll();
writeRenderCache(formatted, templates);
console.log(
  `render cache: ${templates.size} templates precompiled, ${formatted.size} renders formatted` +
    (left > 0 ? `; ${left} left to prettier (their layout depends on the project name's length)` : ''),
);
