import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Store } from '../src/storage/store.js';
import { whoami } from './helpers/mcp.js';
import { grantTokens, refresh } from './helpers/oauth.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * The SQLite file goes away in the middle of a refresh rotation (the database is closed under the
 * server): the client gets a JSON error, and once the database is back its old token still works.
 */
function closingBeforeFirstRotation() {
  const state = { closed: false };
  const wrap = (store: Store): Store =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        if (property !== 'rotateRefreshToken' || state.closed) return value.bind(target);
        return async (...args: Parameters<Store['rotateRefreshToken']>) => {
          state.closed = true;
          await target.close();
          return target.rotateRefreshToken(...args);
        };
      },
    });
  return { wrap, state };
}

describe('reliability: the SQLite database is closed in the middle of a refresh rotation', () => {
  let server: TestServer;
  const fault = closingBeforeFirstRotation();

  beforeAll(async () => {
    server = await startTestServer({}, { wrapStore: fault.wrap });
  });
  afterAll(() => server.close());

  it('answers JSON server_error, and after the database reopens the old refresh token still works', async () => {
    const { client, tokens } = await grantTokens(server);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const failed = await refresh(server.url, client, tokens.refresh_token);
    logged.mockRestore();

    expect(fault.state.closed).toBe(true);
    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toContain('application/json');
    expect(failed.json.error).toBe('server_error');
    expect(failed.text).not.toMatch(/\n\s+at \S/);

    await server.store.init();
    const retried = await refresh(server.url, client, tokens.refresh_token);
    expect(retried.status).toBe(200);
    expect((await whoami(server.url, retried.json.access_token)).userId).toBe(server.user.userId);
  });
});
