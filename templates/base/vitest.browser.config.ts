import { defineConfig } from 'vitest/config';

/** `npm run test:browser`: the Chromium-driven tests under test/browser (see test/browser/helpers/chromium.ts). */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/helpers/announce-chromium.ts'],
    // Names every test, so a run without Chromium lists each one under "browser: skipped — <why>".
    reporters: ['verbose'],
    // One Chromium at a time: each file starts its own browser and servers.
    fileParallelism: false,
    // Cheap password hashes (src/passwords/passwords.ts); the server refuses this setting in production.
    env: { PASSWORD_HASH_COST: 'test' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
