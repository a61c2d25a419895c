import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeOf, EXIT_FAILED, EXIT_UNREACHABLE } from '../../src/check/report.js';
import { runCheck } from '../../src/check/run.js';

/** Targets that are not MCP servers, or hostile ones: clear messages, a bounded run, exit 2 or 1. */

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** /mcp answers a proper 401 pointing at the root PRM; the well-known paths answer `wellKnown`. */
async function serveWithMetadata(wellKnown: RequestListener): Promise<string> {
  let origin = '';
  origin = await serve((request, response) => {
    if (request.url?.startsWith('/.well-known/')) return wellKnown(request, response);
    response
      .writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource", scope="read"` })
      .end();
  });
  return origin;
}

async function closedPort(): Promise<number> {
  const origin = await serve(() => undefined);
  const server = servers.pop()!;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return Number(new URL(origin).port);
}

describe('check against bad targets', () => {
  it('rule reachable: a closed loopback port is unreachable, exit 2', async () => {
    const report = await runCheck({ url: `http://127.0.0.1:${await closedPort()}/mcp`, timeoutMs: 2_000 });
    expect(report.reachable).toBe(false);
    expect(report.stopped).toMatch(/could not be reached: POST http:\/\/127\.0\.0\.1:\d+\/mcp: ECONNREFUSED/);
    expect(exitCodeOf(report)).toBe(EXIT_UNREACHABLE);
    expect(report.requests).toBe(1);
  });

  it('rule reachable: https to a plain-http port is a TLS failure, exit 2', async () => {
    const origin = await serve((_request, response) => response.end('plain http'));
    const report = await runCheck({ url: `${origin.replace('http:', 'https:')}/mcp`, timeoutMs: 2_000 });
    expect(exitCodeOf(report)).toBe(EXIT_UNREACHABLE);
    expect(report.stopped).toMatch(/could not be reached/);
  });

  it('rule reachable: a server that never answers times out, exit 2', async () => {
    const origin = await serve(() => undefined);
    const report = await runCheck({ url: `${origin}/mcp`, timeoutMs: 300 });
    expect(exitCodeOf(report)).toBe(EXIT_UNREACHABLE);
    expect(report.stopped).toMatch(/no answer within the timeout/);
    expect(report.requests).toBe(1);
  });

  it('quirk prm-path-suffix: non-JSON metadata is named as such, exit 1', async () => {
    const origin = await serveWithMetadata((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'),
    );
    const report = await runCheck({ url: `${origin}/mcp`, timeoutMs: 2_000 });
    expect(exitCodeOf(report)).toBe(EXIT_FAILED);
    const prm = report.results.find((r) => r.id === 'prm-path-suffix' && r.status === 'fail');
    expect(prm?.detail).toMatch(/not a JSON object \(content-type text\/html\)/);
    expect(report.results.find((r) => r.id === 'as-metadata')?.status).toBe('not-checkable');
  });

  it('quirk prm-path-suffix: a redirect loop is reported, never followed', async () => {
    const hits = new Map<string, number>();
    const origin = await serveWithMetadata((request, response) => {
      hits.set(`${request.method} ${request.url}`, (hits.get(`${request.method} ${request.url}`) ?? 0) + 1);
      response.writeHead(302, { location: request.url }).end();
    });
    const report = await runCheck({ url: `${origin}/mcp`, timeoutMs: 2_000 });
    expect(exitCodeOf(report)).toBe(EXIT_FAILED);
    expect(report.results.find((r) => r.id === 'prm-path-suffix')?.detail).toMatch(/answered 302 .*clients do not follow redirects/);
    expect(Math.max(...hits.values())).toBe(1);
  });

  it('quirk prm-path-suffix: a 10 MB metadata body is cut at 1 MiB', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const origin = await serveWithMetadata((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"resource": "');
      let sent = 0;
      const pump = () => {
        while (sent < 10) {
          sent += 1;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end('"}');
      };
      pump();
    });
    const report = await runCheck({ url: `${origin}/mcp`, timeoutMs: 5_000 });
    expect(exitCodeOf(report)).toBe(EXIT_FAILED);
    expect(report.results.find((r) => r.id === 'prm-path-suffix')?.detail).toBe('the body is larger than 1 MiB');
  });

  it('rule reachable: a URL that is not http(s) is refused before any request', async () => {
    await expect(runCheck({ url: 'ftp://example.com/mcp' })).rejects.toThrow(/not an http\(s\) URL/);
    await expect(runCheck({ url: 'mcp.example.com' })).rejects.toThrow(/is not a URL/);
  });

  it('rule reachable: the request budget bounds the run', async () => {
    const origin = await serveWithMetadata((_request, response) =>
      response.writeHead(404, { 'content-type': 'application/json' }).end('{}'),
    );
    const report = await runCheck({ url: `${origin}/mcp`, timeoutMs: 2_000, maxRequests: 3 });
    expect(report.requests).toBe(3);
    expect(report.stopped).toBe('the run reached its limit of 3 requests');
  });
});
