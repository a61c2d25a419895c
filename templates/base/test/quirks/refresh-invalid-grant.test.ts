import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { startHttpServer } from '../../src/http/index.js';
import { deleteClientDirectly, deleteUserDirectly } from '../helpers/delete-directly.js';
import { whoami } from '../helpers/mcp.js';
import { Browser, grantTokens, obtainTokens, refresh } from '../helpers/oauth.js';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';

interface MovedServer {
  url: string;
  issuer: string;
  resource: string;
  close(): Promise<void>;
}

/** The same deployment after PUBLIC_URL changed: the same store behind another public URL. */
async function movedServer(server: TestServer): Promise<MovedServer> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const config = { ...server.config, port, publicUrl, resource: `${publicUrl}/mcp` };
  const app = createApp({ config, store: server.store });
  const http = await startHttpServer(app, { host: '127.0.0.1', port });
  return {
    url: publicUrl,
    issuer: publicUrl,
    resource: config.resource,
    async close() {
      await http.close();
      await app.close();
    },
  };
}

describe('quirk refresh-invalid-grant: a refresh whose grant no longer fits the server is invalid_grant', () => {
  let server: TestServer;
  let moved: MovedServer;

  beforeAll(async () => {
    server = await startTestServer();
    moved = await movedServer(server);
  });
  afterAll(async () => {
    await moved.close();
    await server.close();
  });

  it('after a PUBLIC_URL change, a grant for the old resource answers invalid_grant, not invalid_target', async () => {
    const { client, tokens } = await grantTokens(server);

    const requests: Record<string, string>[] = [
      {},
      { resource: moved.resource },
      { resource: server.resource },
    ];
    for (const extra of requests) {
      const result = await refresh(moved.url, client, tokens.refresh_token, extra);
      expect(result.status).toBe(400);
      expect(result.json.error).toBe('invalid_grant');
    }

    // invalid_grant sends the client through /authorize again, which gets it a grant for the new URL.
    const fresh = await obtainTokens(new Browser(moved), client);
    expect((await whoami(moved.url, fresh.access_token)).userId).toBe(server.user.userId);
    expect((await refresh(moved.url, client, fresh.refresh_token)).status).toBe(200);
  });

  it('a grant whose account was deleted answers invalid_grant', async () => {
    const other = await startTestServer();
    try {
      const { client, tokens } = await grantTokens(other);
      await deleteUserDirectly(other, other.user.userId);

      const result = await refresh(other.url, client, tokens.refresh_token);
      expect(result.status).toBe(400);
      expect(result.json.error).toBe('invalid_grant');
    } finally {
      await other.close();
    }
  });

  it('a grant whose client was deleted answers 401 invalid_client, never invalid_target or a 5xx', async () => {
    // client-retention: an unknown client_id at /token is invalid_client, the one answer on which
    // clients register again (an invalid_grant would send them to /authorize with the dead id).
    const { client, tokens } = await grantTokens(server);
    await deleteClientDirectly(server, client.client_id);

    const result = await refresh(server.url, client, tokens.refresh_token);
    expect(result.status).toBe(401);
    expect(result.json.error).toBe('invalid_client');
  });
});
