import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildEnvFile, ENV_FILE, generateSessionSecret } from './env-file.js';
import type { Answers } from './options.js';
import { buildManifest, MANIFEST_FILE, serializeManifest } from './render/manifest.js';
import { BASE_FILE, buildBaseFile, serializeBaseFile } from './regenerate/base-render.js';
import type { RenderedFile } from './render/render.js';
import { prepareTargetDir } from './target-dir.js';
import { GENERATOR_VERSION } from './version.js';

/**
 * Writes a rendered project: the files, the untracked `.env` with a fresh secret, and the manifest last,
 * so a manifest on disk means the files it lists were written.
 */
export async function writeProject(
  dir: string,
  answers: Answers,
  files: readonly RenderedFile[],
  options: { overwrite: boolean },
): Promise<void> {
  await prepareTargetDir(dir, options.overwrite);
  for (const file of files) {
    const target = path.join(dir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.contents);
  }
  await writeFile(path.join(dir, ENV_FILE), buildEnvFile(files, generateSessionSecret()), { mode: 0o600 });
  // what regenerate merges the user's edits against; see src/regenerate/base-render.ts
  await writeFile(path.join(dir, BASE_FILE), serializeBaseFile(buildBaseFile(files, GENERATOR_VERSION)));
  await writeFile(path.join(dir, MANIFEST_FILE), serializeManifest(buildManifest(answers, files)));
}
