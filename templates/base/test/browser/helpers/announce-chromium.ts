import { CHROMIUM_PATH } from './chromium.js';
import { browserSkipReason } from './suite.js';

/** Vitest global setup for the browser suite: says up front which Chromium runs the tests, or why none does. */
export default function announceChromium(): void {
  if (browserSkipReason === undefined)
    console.log(`Browser tests run in Chromium at ${CHROMIUM_PATH}.`);
  else console.warn(`\nBROWSER TESTS SKIPPED: ${browserSkipReason}.\n`);
}
