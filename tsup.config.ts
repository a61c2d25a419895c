import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/cli.ts', 'src/build-render-cache.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: true,
});
