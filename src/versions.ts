/**
 * Every dependency version a generated project gets. Templates ask for them with
 * {{version "name"}}; asking for a name that is not here fails the render.
 * All of these install and run on Node 20.
 */
export const VERSIONS = {
  // MCP SDK v2
  '@modelcontextprotocol/server': '2.4.0',
  '@modelcontextprotocol/client': '2.4.0',
  '@modelcontextprotocol/node': '2.1.2',
  zod: '4.6.7',
  // frameworks
  express: '5.3.0',
  '@types/express': '5.0.6',
  fastify: '5.12.8',
  hono: '4.13.19',
  '@hono/node-server': '2.1.9',
  // storage
  libsql: '0.5.29',
  pg: '8.23.1',
  '@types/pg': '8.23.1',
  ioredis: '6.0.0',
  // passwords (prebuilt binaries in optional dependencies: no compiler) and client addresses
  '@node-rs/argon2': '2.2.1',
  'ipaddr.js': '2.5.0',
  // tooling
  dotenv: '17.4.1',
  typescript: '5.9.3',
  tsx: '4.23.15',
  vitest: '4.1.12',
  // property-based tests (test/reliability/fuzz.test.ts)
  'fast-check': '4.11.0',
  // browser tests (drives the system Chromium; never downloads a browser)
  'playwright-core': '1.65.1',
  '@types/node': '20.19.43',
} as const satisfies Record<string, string>;

export type PackageName = keyof typeof VERSIONS;

export function versionOf(name: string): string {
  const version = (VERSIONS as Record<string, string>)[name];
  if (!version) throw new Error(`src/versions.ts has no version for "${name}"`);
  return version;
}
