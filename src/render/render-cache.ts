import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../paths.js';
import type { PrecompiledTemplates } from './handlebars.js';

/**
 * What `npm run build` (src/build-render-cache.ts) prepares so that a render with the default answers
 * neither compiles a template nor loads prettier:
 * - every .hbs template precompiled, keyed by the SHA-256 of its source;
 * - prettier's output for the .hbs renders of every supported combination with the default answers, keyed
 *   by the SHA-256 of the output path and the unformatted text.
 * A hit is exactly what compiling or formatting would give; a changed template simply misses.
 * Templates are rendered for the cache with a stand-in for the project name, which is put back afterwards:
 * the builder caches a file only when the real name's length cannot change how prettier lays it out.
 */
export const PROJECT_NAME_STAND_IN = 'project-name-stand-in';

export const RENDER_CACHE_FILE = path.join(PACKAGE_ROOT, 'dist', 'render-cache.js');

export interface RenderCache {
  formatted: Map<string, string>;
  templates: PrecompiledTemplates;
}

export function formattedKey(outputPath: string, unformatted: string): string {
  return createHash('sha256').update(outputPath).update('\0').update(unformatted).digest('hex');
}

let loading: Promise<RenderCache> | undefined;

/** The cache the build wrote; empty when there is none (a source checkout before its first build). */
export function loadRenderCache(): Promise<RenderCache> {
  loading ??= import(pathToFileURL(RENDER_CACHE_FILE).href).then(
    (module: { formatted: Record<string, string>; templates: PrecompiledTemplates }) => ({
      formatted: new Map(Object.entries(module.formatted)),
      templates: module.templates,
    }),
    () => ({ formatted: new Map(), templates: {} }),
  );
  return loading;
}

/** `templates` maps a source key to the JavaScript source of its precompiled specification. */
export function writeRenderCache(formatted: Map<string, string>, templates: Map<string, string>): void {
  const sorted = <T>(map: Map<string, T>) => [...map].sort(([a], [b]) => (a < b ? -1 : 1));
  const templateEntries = sorted(templates).map(([key, spec]) => `  ${JSON.stringify(key)}: ${spec},`);
  writeFileSync(
    RENDER_CACHE_FILE,
    `// Written by npm run build (src/build-render-cache.ts); do not edit.\n` +
      `export const formatted = ${JSON.stringify(Object.fromEntries(sorted(formatted)))};\n` +
      `export const templates = {\n${templateEntries.join('\n')}\n};\n`,
  );
}
