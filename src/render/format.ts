import type { Options } from 'prettier';

/** The style every generated file is printed in; the generated project ships the same .prettierrc. */
export const PRETTIER_OPTIONS: Options = {
  singleQuote: true,
  printWidth: 100,
  trailingComma: 'all',
};

const PARSERS: Record<string, string> = {
  '.ts': 'typescript',
  '.js': 'babel',
  '.mjs': 'babel',
  '.json': 'json',
};

export function parserFor(path: string): string | undefined {
  return PARSERS[path.slice(path.lastIndexOf('.'))];
}

/**
 * Formats rendered Handlebars output, which conditionals leave with stray blank lines and indents.
 * Templates without .hbs are committed already formatted (test/templates-formatted.test.ts), and the
 * renders `npm run build` saw are in the format cache (format-cache.ts), so prettier, the heaviest module
 * of a render, loads only for answers no build has seen.
 */
export async function formatSource(path: string, contents: string): Promise<string> {
  const parser = parserFor(path);
  if (!parser) return contents;
  const prettier = await import('prettier');
  try {
    return await prettier.format(contents, { ...PRETTIER_OPTIONS, parser });
  } catch (error) {
    throw new Error(`rendered ${path} is not valid ${parser}: ${(error as Error).message}`);
  }
}
