import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// dist/cli.js and src/*.ts both sit one level below package.json
export const GENERATOR_VERSION: string = (require('../package.json') as { version: string }).version;
