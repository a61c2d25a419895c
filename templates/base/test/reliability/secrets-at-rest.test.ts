import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { sha256 } from '../../src/oauth/crypto.js';
import { whoami } from '../helpers/mcp.js';
import {
  Browser,
  authorizeCode,
  exchangeCode,
  refresh,
  registerClient,
  revoke,
} from '../helpers/oauth.js';
import { TEST_ACCOUNT, startTestServer, type TestServer } from '../helpers/server.js';
import { STORAGE_NAME } from '../helpers/storage-env.js';
import { readRawStorage } from './raw-storage.js';

const REDIRECT = 'https://app.example.com/callback';
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

describe(`reliability: after a full flow, ${STORAGE_NAME} storage and the logs hold no secret in plaintext`, () => {
  let server: TestServer;
  /** Every secret the flow handled, by what it is. */
  const secrets = new Map<string, string>();
  /** Hashes the store is expected to hold, proving the raw read sees the data. */
  const expectedHashes: string[] = [];
  let clientId: string;
  let logged: string;

  beforeAll(async () => {
    const spies: MockInstance[] = CONSOLE_METHODS.map((method) =>
      vi.spyOn(console, method).mockImplementation(() => {}),
    );
    try {
      server = await startTestServer();
      const client = await registerClient(server.url, {
        client_name: 'Secrets at rest',
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'client_secret_basic',
      });
      clientId = client.client_id;
      secrets.set('client secret', client.client_secret ?? '');
      const browser = new Browser(server);
      const code = await authorizeCode(browser, client);
      secrets.set('authorization code', code.code);
      secrets.set('PKCE verifier', code.verifier);
      for (const [name, value] of browser.jar.cookies) secrets.set(`cookie ${name}`, value);
      const first = await exchangeCode(server.url, client, code);
      expect(first.status).toBe(200);
      secrets.set('first access token', first.json.access_token);
      secrets.set('first refresh token', first.json.refresh_token);
      const second = await refresh(server.url, client, first.json.refresh_token);
      expect(second.status).toBe(200);
      secrets.set('refreshed access token', second.json.access_token);
      secrets.set('refreshed refresh token', second.json.refresh_token);
      expect((await whoami(server.url, second.json.access_token)).clientId).toBe(clientId);
      // A revoked token must not be kept in plaintext either.
      expect((await revoke(server.url, client, first.json.access_token)).status).toBe(200);
      secrets.set('password', TEST_ACCOUNT.password);
      expectedHashes.push(sha256(second.json.access_token), sha256(second.json.refresh_token));
    } finally {
      logged = spies.map((spy) => JSON.stringify(spy.mock.calls)).join('\n');
      for (const spy of spies) spy.mockRestore();
    }
  });
  afterAll(() => server?.close());

  it('the raw read sees the flow: the client id, the account email and the token hashes', async () => {
    const raw = await readRawStorage(server);
    expect(raw).toContain(clientId);
    expect(raw).toContain(TEST_ACCOUNT.email);
    for (const hash of expectedHashes) expect(raw).toContain(hash);
  });

  it('no token, code, client secret, password, verifier or cookie value is stored in plaintext', async () => {
    const raw = await readRawStorage(server);
    expect(secrets.size).toBeGreaterThanOrEqual(9);
    for (const [what, value] of secrets) {
      expect(value.length, what).toBeGreaterThanOrEqual(16);
      expect(raw.includes(value), `${what} found in ${STORAGE_NAME} storage`).toBe(false);
    }
  });

  it('no secret appears in anything the server wrote to the console during the flow', () => {
    for (const [what, value] of secrets) {
      expect(logged.includes(value), `${what} found in the console output`).toBe(false);
    }
  });
});
