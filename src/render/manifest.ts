import { createHash } from 'node:crypto';
import type { Answers } from '../options.js';
import { QUIRK_IDS } from '../quirks.js';
import { GENERATOR_VERSION } from '../version.js';
import type { Ownership } from './ownership.js';
import type { RenderedFile } from './render.js';

export const MANIFEST_FILE = '.mcp-oauth-server.json';

export interface Manifest {
  generator: { name: 'create-mcp-oauth-server'; version: string };
  answers: Answers;
  quirks: string[];
  files: Record<string, { hash: string; ownership: Ownership }>;
}

export function hashContents(contents: string | Buffer): string {
  return `sha256-${createHash('sha256').update(contents).digest('hex')}`;
}

export function buildManifest(answers: Answers, files: readonly RenderedFile[]): Manifest {
  return {
    generator: { name: 'create-mcp-oauth-server', version: GENERATOR_VERSION },
    answers,
    quirks: [...QUIRK_IDS],
    files: Object.fromEntries(
      files.map((file) => [file.path, { hash: hashContents(file.contents), ownership: file.ownership }]),
    ),
  };
}

export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
