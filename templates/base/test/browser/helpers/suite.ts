import { describe } from 'vitest';
import { STORAGE_NAME, storageUnavailable } from '../../helpers/storage-env.js';
import { CHROMIUM_PATH, chromiumFound } from './chromium.js';

/** Why the browser suite cannot run here, or undefined when it can. */
export const browserSkipReason: string | undefined = !chromiumFound
  ? `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`
  : storageUnavailable
    ? `the tests need the ${STORAGE_NAME} server: ${storageUnavailable}`
    : undefined;

/**
 * describe() for a browser test file. When the suite cannot run, every test is skipped under a title
 * that says why, never passed silently.
 */
export function describeInChromium(title: string, tests: () => void): void {
  if (browserSkipReason === undefined) describe(title, tests);
  else describe.skip(`browser: skipped — ${browserSkipReason}`, tests);
}
