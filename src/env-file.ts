import { randomBytes } from 'node:crypto';
import type { RenderedFile } from './render/render.js';

export const ENV_FILE = '.env';
const ENV_EXAMPLE_FILE = '.env.example';
const SECRET_LINE = /^#?\s*SESSION_SECRET=.*$/m;

/** 256 bits, URL-safe: signs the login/consent session cookies. */
export function generateSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The project's untracked `.env`: the rendered `.env.example` with SESSION_SECRET filled in. It is written
 * at create time only, never rendered, hashed or recorded, so rendering stays pure and no secret is tracked.
 */
export function buildEnvFile(files: readonly RenderedFile[], secret: string): string {
  const example = files.find((file) => file.path === ENV_EXAMPLE_FILE)?.contents;
  const secretLine = `SESSION_SECRET=${secret}`;
  if (example === undefined) return `# Local settings; never commit this file.\n${secretLine}\n`;
  if (SECRET_LINE.test(example)) return example.replace(SECRET_LINE, secretLine);
  return `${example.replace(/\n*$/, '\n')}${secretLine}\n`;
}
