import Handlebars from 'handlebars';
import { versionOf } from '../versions.js';

/** A private Handlebars environment: strict about unknown variables, no HTML escaping (we emit code). */
export function createTemplateEngine(): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('version', (name: unknown) => versionOf(String(name)));
  hbs.registerHelper('json', (value: unknown) => new Handlebars.SafeString(JSON.stringify(value)));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  return hbs;
}

export function renderTemplate(engine: typeof Handlebars, source: string, context: object, name: string): string {
  try {
    return engine.compile(source, { noEscape: true, strict: true })(context);
  } catch (error) {
    throw new Error(`template ${name}: ${(error as Error).message}`);
  }
}
