/** The loopback redirect of a CLI client (RFC 8252 §7.3): a one-shot listener on 127.0.0.1 and a free port. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackCallback {
  redirectUri: string;
  /** The callback's query parameters, once the browser arrives; rejects after `timeoutMs`. */
  received: Promise<URLSearchParams>;
  close(): Promise<void>;
}

const DONE_PAGE =
  '<!doctype html><meta charset="utf-8"><title>create-mcp-oauth-server check</title><p>Signed in. You can close this tab and return to the terminal.</p>';

export async function listenForCallback(timeoutMs: number, path = '/callback'): Promise<LoopbackCallback> {
  let resolve!: (params: URLSearchParams) => void;
  let reject!: (error: Error) => void;
  const received = new Promise<URLSearchParams>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  received.catch(() => undefined);
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== path) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(DONE_PAGE);
    resolve(url.searchParams);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const timer = setTimeout(() => reject(new Error(`no callback within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}${path}`,
    received,
    close: async () => {
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
