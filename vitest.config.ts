import { defineConfig } from 'vitest/config';

/**
 * unit: fast tests of the generator (options, prompts, rendering, manifest, golden snapshots, the built CLI).
 * e2e: renders real projects, installs them and runs their own test suites (minutes).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/e2e/**', 'test/fixtures/**', 'test/golden/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // Each file installs and runs whole projects: one at a time on a 2-core machine.
          fileParallelism: false,
          testTimeout: 15 * 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
