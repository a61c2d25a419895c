import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListenOptions {
  host: string;
  port: number;
}

/** A listening HTTP server, whatever the framework. */
export interface RunningServer {
  /** Where it listens, e.g. http://127.0.0.1:3000 (not PUBLIC_URL, which may be a proxy in front). */
  url: string;
  port: number;
  /** Stops accepting connections, ends open ones and releases the app. */
  close(): Promise<void>;
}

/** The address a listening Node server is bound to, as a URL. */
export function listeningAt(server: Server, host: string): { url: string; port: number } {
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port };
}

/**
 * Waits until `server` listens, then wraps it: close() stops it, ends idle keep-alive connections
 * (otherwise shutdown waits for clients to hang up) and runs `release`.
 */
export async function runningServer(
  server: Server,
  host: string,
  release: () => Promise<void>,
): Promise<RunningServer> {
  if (!server.listening) await once(server, 'listening');
  return {
    ...listeningAt(server, host),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await release();
    },
  };
}
