import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A browser-based MCP client's web origin, as small as it can be: it serves a callback page, an empty
 * page for scripts to run on, and a page that frames another URL. It listens on 127.0.0.1 only;
 * tests reach it under several host names (localhost, 127.0.0.1, names mapped by Chromium) so one
 * process plays several origins.
 */

export interface ClientRequest {
  method: string;
  /** The full URL the browser asked for, e.g. http://localhost:1234/callback?code=... */
  url: URL;
  headers: IncomingHttpHeaders;
}

export interface FakeClient {
  port: number;
  /** `http://<host>:<port>`; the host decides the origin. */
  origin(host?: string): string;
  /** Every request the browser made here, in order. */
  requests: ClientRequest[];
  /** The requests for one path. */
  requestsFor(pathname: string): ClientRequest[];
  close(): Promise<void>;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

function render(url: URL): { status: number; html: string } {
  if (url.pathname.endsWith('/callback')) {
    return {
      status: 200,
      html: page('Fake client callback', '<h1 id="callback">Callback received</h1>'),
    };
  }
  if (url.pathname === '/app')
    return { status: 200, html: page('Fake MCP client', '<h1>Fake MCP client</h1>') };
  if (url.pathname === '/frame') {
    const src = url.searchParams.get('src') ?? 'about:blank';
    return {
      status: 200,
      html: page(
        'Framing page',
        `<iframe id="target" title="framed page" src="${escapeHtml(src)}" width="800" height="600"></iframe>`,
      ),
    };
  }
  return { status: 404, html: page('Not found', '<h1>Not found</h1>') };
}

export async function startFakeClient(): Promise<FakeClient> {
  const requests: ClientRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    requests.push({ method: req.method ?? 'GET', url, headers: req.headers });
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const { status, html } = render(url);
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(html);
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: (host = 'localhost') => `http://${host}:${port}`,
    requests,
    requestsFor: (pathname) => requests.filter((request) => request.url.pathname === pathname),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
