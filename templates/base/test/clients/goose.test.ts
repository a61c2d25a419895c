import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SCOPE } from '../../src/oauth/scopes.js';
import {
  GOOSE_DOCUMENT,
  connectAndRefresh,
  documentClient,
  gooseRegistration,
  startProfileServer,
  type ProfileServer,
} from '../helpers/client-profiles.js';
import { registerClient } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'http://localhost:8976/oauth_callback';

describe('client Goose: CIMD https://goose-docs.ai/oauth/client-metadata.json, loopback', () => {
  let server: ProfileServer;

  beforeAll(async () => {
    server = await startProfileServer([GOOSE_DOCUMENT]);
  });
  afterAll(() => server.close());

  it('completes the flow on a random port with the OpenID scopes of its document', async () => {
    const { tokens } = await connectAndRefresh(server, documentClient(GOOSE_DOCUMENT, REDIRECT), {
      scope: String(GOOSE_DOCUMENT.scope),
      resource: server.resource,
    });
    expect(tokens.scope.split(' ')).toContain(BASELINE_SCOPE);
  });
});

describe('client Goose: DCR, registering three times in parallel', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('gets three separate clients, and each of them completes the flow', async () => {
    const clients = await Promise.all(
      Array.from({ length: 3 }, () => registerClient(server.url, gooseRegistration(REDIRECT))),
    );
    expect(new Set(clients.map((client) => client.client_id)).size).toBe(3);
    for (const client of clients) {
      await connectAndRefresh(server, client, { resource: server.resource });
    }
  });
});
