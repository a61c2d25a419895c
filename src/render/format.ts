import * as prettier from 'prettier';

/** The style every generated file is printed in; the generated project ships the same .prettierrc. */
export const PRETTIER_OPTIONS: prettier.Options = {
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
 * Templates without .hbs are committed already formatted (test/templates-formatted.test.ts), so a
 * render formats only the few files that vary: most of a render's cost used to be prettier.
 */
export async function formatSource(path: string, contents: string): Promise<string> {
  const parser = parserFor(path);
  if (!parser) return contents;
  try {
    return await prettier.format(contents, { ...PRETTIER_OPTIONS, parser });
  } catch (error) {
    throw new Error(`rendered ${path} is not valid ${parser}: ${(error as Error).message}`);
  }
}
