import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hashContents, type Manifest } from '../render/manifest.js';
import type { RenderedFile } from '../render/render.js';

/**
 * The base render: the exact bytes the generator wrote for every managed and merged file, kept in the
 * project next to the manifest and committed with it. A later regenerate merges against it, so it works
 * offline and for every earlier version without running that version.
 */
export const BASE_FILE = '.mcp-oauth-server.base.json';

export interface BaseFile {
  generatorVersion: string;
  files: Record<string, string>;
}

export function buildBaseFile(files: readonly RenderedFile[], generatorVersion: string): BaseFile {
  return {
    generatorVersion,
    files: Object.fromEntries(
      files.filter((file) => file.ownership !== 'sample').map((file) => [file.path, file.contents]),
    ),
  };
}

export function serializeBaseFile(base: BaseFile): string {
  return `${JSON.stringify(base, null, 2)}\n`;
}

export type BaseFileState =
  { status: 'present'; base: BaseFile } | { status: 'missing' } | { status: 'unreadable'; reason: string };

function isBaseFile(value: unknown): value is BaseFile {
  if (typeof value !== 'object' || value === null) return false;
  const { generatorVersion, files } = value as Partial<BaseFile>;
  return (
    typeof generatorVersion === 'string' &&
    typeof files === 'object' &&
    files !== null &&
    Object.values(files).every((contents) => typeof contents === 'string')
  );
}

export async function readBaseFile(dir: string): Promise<BaseFileState> {
  const file = path.join(dir, BASE_FILE);
  if (!existsSync(file)) return { status: 'missing' };
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return { status: 'unreadable', reason: `not valid JSON (${(error as Error).message})` };
  }
  return isBaseFile(value)
    ? { status: 'present', base: value }
    : { status: 'unreadable', reason: 'not a { generatorVersion, files } object' };
}

/**
 * Finds the base of each file: the stored base render, else a render of the recorded answers by this
 * generator. A candidate counts only when its hash is the one the manifest recorded, so a hand-edited or
 * stale base file, or a template that changed since, is never mistaken for what the user started from.
 * Returns undefined when no candidate matches: the caller merges against an empty base and says so.
 */
export function createBaseLookup(
  manifest: Manifest,
  stored: BaseFileState,
  renderOfRecordedAnswers: () => Promise<readonly RenderedFile[]>,
): (filePath: string) => Promise<string | undefined> {
  let rendered: Promise<Map<string, string>> | undefined;
  return async (filePath) => {
    const recorded = manifest.files[filePath]?.hash;
    if (recorded === undefined) return undefined;
    const fromStore = stored.status === 'present' ? stored.base.files[filePath] : undefined;
    if (fromStore !== undefined && hashContents(fromStore) === recorded) return fromStore;
    rendered ??= renderOfRecordedAnswers().then((files) => new Map(files.map((f) => [f.path, f.contents])));
    const fromRender = (await rendered).get(filePath);
    return fromRender !== undefined && hashContents(fromRender) === recorded ? fromRender : undefined;
  };
}
