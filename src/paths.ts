import { fileURLToPath } from 'node:url';

/**
 * The package root (where package.json and templates/ live). This module sits one level below it both
 * as source (src/paths.ts) and bundled (dist/*.js), which is what makes the relative URL right in both.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const TEMPLATES_DIR = fileURLToPath(new URL('../templates', import.meta.url));
