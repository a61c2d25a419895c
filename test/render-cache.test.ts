import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANSWERS, type Answers } from '../src/options.js';
import { TEMPLATES_DIR } from '../src/paths.js';
import { templateKey } from '../src/render/handlebars.js';
import { loadRenderCache, type RenderCache } from '../src/render/render-cache.js';
import { renderProject } from '../src/render/render.js';

const NO_CACHE: RenderCache = { formatted: new Map(), templates: {} };

describe('the render cache npm run build writes', () => {
  it('holds every .hbs template precompiled and the default renders formatted', async () => {
    const cache = await loadRenderCache();
    expect(cache.formatted.size).toBeGreaterThan(0);
    const config = await readFile(path.join(TEMPLATES_DIR, 'base/src/config.ts.hbs'), 'utf8');
    expect(cache.templates[templateKey(config)]).toBeDefined();
  });

  for (const [what, answers] of [
    ['the default answers', { projectName: 'my-server', ...DEFAULT_ANSWERS }],
    ['another combination and a long name', { ...DEFAULT_ANSWERS, projectName: 'x'.repeat(120), framework: 'hono', storage: 'redis' }],
    ['scopes no build has seen', { ...DEFAULT_ANSWERS, projectName: 'notes', scopes: ['notes:read', 'notes:write', 'notes:admin'] }],
  ] as Array<[string, Answers]>) {
    it(`renders ${what} byte for byte as compiling and prettier do`, async () => {
      const cached = await renderProject(answers);
      const uncached = await renderProject(answers, TEMPLATES_DIR, NO_CACHE);
      expect(cached.map((file) => file.path)).toEqual(uncached.map((file) => file.path));
      for (const [index, file] of cached.entries()) expect(file.contents, file.path).toBe(uncached[index]!.contents);
    });
  }
});
