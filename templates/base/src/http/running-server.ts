import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
  /** Stops accepting connections, ends open ones at once and releases the app. */
  close(): Promise<void>;
  /**
   * Stops gracefully (SIGTERM): stops accepting connections, closes idle keep-alive ones, lets the
   * requests in flight finish for up to `timeoutMs` (their answers say Connection: close), then ends
   * whatever is left and releases the app.
   */
  drain(timeoutMs: number): Promise<void>;
}

/**
 * True while part of the request body is still unread. An answer sent now (413, a refused /mcp call)
 * must close the connection: the rest of the body would otherwise arrive where the client's next
 * request is expected, or the server would drop the socket under a client that thinks it keep-alive.
 */
export function bodyLeftUnread(request: IncomingMessage): boolean {
  if (request.complete) return false;
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

/** The address a listening Node server is bound to, as a URL. */
export function listeningAt(server: Server, host: string): { url: string; port: number } {
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port };
}

/** How a framework stops its server: `stop` resolves once every connection has ended. */
export interface ServerLifecycle {
  stop(): Promise<void>;
  /** Runs after `stop`, e.g. to release the app. */
  release(): Promise<void>;
}

/**
 * Waits until `server` listens, then wraps it with close() and drain(). Both stop accepting and close
 * idle keep-alive connections (otherwise shutdown waits for clients to hang up); close() ends busy
 * ones at once, drain() gives them until its deadline.
 */
export async function runningServer(
  server: Server,
  host: string,
  lifecycle: ServerLifecycle,
): Promise<RunningServer> {
  if (!server.listening) await once(server, 'listening');
  const answering = new Set<ServerResponse>();
  let draining = false;
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (draining) response.setHeader('connection', 'close');
    answering.add(response);
    response.once('close', () => answering.delete(response));
  });
  const stop = async (deadlineMs: number) => {
    const stopped = lifecycle.stop();
    await stoppedListening(server);
    server.closeIdleConnections();
    const endBusyConnections = () => server.closeAllConnections();
    if (deadlineMs <= 0) endBusyConnections();
    const deadline = setTimeout(endBusyConnections, deadlineMs);
    try {
      await stopped;
    } finally {
      clearTimeout(deadline);
    }
    await lifecycle.release();
  };
  return {
    ...listeningAt(server, host),
    close: () => stop(0),
    async drain(timeoutMs) {
      draining = true;
      // Answers still to be written end their connection, so no client sends its next request into one that is closing.
      for (const response of answering) {
        if (!response.headersSent) response.setHeader('connection', 'close');
      }
      await stop(timeoutMs);
    },
  };
}

/**
 * Resolves once `server` accepts no more connections. Node stops at once in close(); Fastify a few
 * ticks into its own close(). Idle connections are closed only after, so a client whose idle
 * connection ends finds the port closed instead of opening a new connection that is then cut.
 */
async function stoppedListening(server: Server): Promise<void> {
  for (let tick = 0; server.listening && tick < 1000; tick++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The lifecycle of a plain Node server (Express, Hono). */
export function nodeServerLifecycle(server: Server, release: () => Promise<void>): ServerLifecycle {
  return {
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    release,
  };
}
