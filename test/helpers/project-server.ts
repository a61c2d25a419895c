import { createServer } from 'node:net';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ProjectServer {
  url: string;
  child: ResultPromise;
  stop(): Promise<void>;
}

/**
 * Starts a generated project's src/server.ts on a free loopback port and resolves once it listens.
 * Only `env` and PATH reach it: a DATABASE_URL or REDIS_URL set for other suites must not.
 */
export async function startProjectServer(dir: string, env: Record<string, string>): Promise<ProjectServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // tsx itself, not npx: npx does not pass SIGTERM on, and the test would wait for a server that never stops.
  const child = execa(path.join(dir, 'node_modules', '.bin', 'tsx'), ['src/server.ts'], {
    forceKillAfterDelay: 5_000,
    cwd: dir,
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), PUBLIC_URL: url, ...env },
    reject: false,
    all: true,
  });
  let output = '';
  // Wrapped, because a ResultPromise awaited would wait for the exit.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 60_000);
    child.all!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void child.then(() => reject(new Error(`the server exited:\n${output}`)));
  });
  return {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      await child;
    },
  };
}
