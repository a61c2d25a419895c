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

export async function formatSource(path: string, contents: string): Promise<string> {
  const extension = path.slice(path.lastIndexOf('.'));
  const parser = PARSERS[extension];
  if (!parser) return contents;
  try {
    return await prettier.format(contents, { ...PRETTIER_OPTIONS, parser });
  } catch (error) {
    throw new Error(`rendered ${path} is not valid ${parser}: ${(error as Error).message}`);
  }
}
