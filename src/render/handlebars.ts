import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import { versionOf } from '../versions.js';

const COMPILE_OPTIONS = { noEscape: true, strict: true };

/** A private Handlebars environment: strict about unknown variables, no HTML escaping (we emit code). */
export function createTemplateEngine(): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('version', (name: unknown) => versionOf(String(name)));
  hbs.registerHelper('json', (value: unknown) => new Handlebars.SafeString(JSON.stringify(value)));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  return hbs;
}

/** Templates `npm run build` precompiled (build-render-cache.ts), by the SHA-256 of their source. */
export type PrecompiledTemplates = Record<string, TemplateSpecification>;

export function templateKey(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

/** The JavaScript source of the template's specification, for the render cache. */
export function precompileTemplate(engine: typeof Handlebars, source: string): string {
  return engine.precompile(source, COMPILE_OPTIONS) as unknown as string;
}

/** The template as a function of its context: precompiled when the build saw this source, else compiled now. */
export function compileTemplate(
  engine: typeof Handlebars,
  source: string,
  name: string,
  precompiled: PrecompiledTemplates = {},
): (context: object) => string {
  const spec = precompiled[templateKey(source)];
  const template = spec ? engine.template(spec) : engine.compile(source, COMPILE_OPTIONS);
  return (context) => {
    try {
      return template(context);
    } catch (error) {
      throw new Error(`template ${name}: ${(error as Error).message}`);
    }
  };
}
