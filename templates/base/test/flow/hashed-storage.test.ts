import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sha256 } from '../../src/oauth/crypto.js';
import { setCookies } from '../helpers/headers.js';
import {
  Browser,
  authorizeCode,
  authorizeUrl,
  exchangeCode,
  grantTokens,
  pkcePair,
  randomState,
  refresh,
  registerClient,
} from '../helpers/oauth.js';
import { TEST_ACCOUNT, startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

describe('flow rule hashed-storage: tokens, codes, secrets and sessions are stored only as SHA-256 hashes', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('access and refresh tokens are found by their hash, never by the token itself', async () => {
    const { tokens } = await grantTokens(server);
    expect(await server.store.findAccessToken(tokens.access_token, nowSeconds())).toBeUndefined();
    expect(
      await server.store.findAccessToken(sha256(tokens.access_token), nowSeconds()),
    ).toBeDefined();
    expect(await server.store.findRefreshToken(tokens.refresh_token)).toBeUndefined();
    const stored = await server.store.findRefreshToken(sha256(tokens.refresh_token));
    expect(stored?.tokenHash).toBe(sha256(tokens.refresh_token));
    expect(JSON.stringify(stored)).not.toContain(tokens.refresh_token);
  });

  it('authorization codes are stored as hashes', async () => {
    const client = await registerClient(server.url, {
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
    });
    const code = await authorizeCode(new Browser(server), client);
    expect((await server.store.consumeCode(code.code)).status).toBe('not_found');
    expect((await exchangeCode(server.url, client, code)).status).toBe(200);
    const replayed = await server.store.consumeCode(sha256(code.code));
    expect(replayed.status).toBe('replayed');
    expect(JSON.stringify(replayed)).not.toContain(code.code);
  });

  it('client secrets are stored as hashes', async () => {
    const client = await registerClient(server.url, {
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'client_secret_post',
    });
    const stored = await server.store.findClient(client.client_id);
    expect(stored?.clientSecretHash).toBe(sha256(client.client_secret!));
    expect(JSON.stringify(stored)).not.toContain(client.client_secret!);
  });

  it('sessions are stored as hashes of the cookie value', async () => {
    const browser = new Browser(server);
    const client = await registerClient(server.url, {
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
    });
    const page = await browser.get(
      authorizeUrl(server.url, {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        state: randomState(),
      }),
    );
    const login = await browser.submitLogin(await page.text());
    const session = setCookies(login).find((cookie) => cookie.name.endsWith('mcp_session'));
    expect(session).toBeDefined();
    expect(await server.store.findSession(session!.value, nowSeconds())).toBeUndefined();
    expect((await server.store.findSession(sha256(session!.value), nowSeconds()))?.userId).toBe(
      server.user.userId,
    );
  });

  it('passwords are stored as salted argon2id hashes', async () => {
    const user = await server.store.findUserByEmail(TEST_ACCOUNT.email);
    expect(user?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    expect(user?.passwordHash).not.toContain(TEST_ACCOUNT.password);
  });
});

describe('flow rule hashed-storage: no token, code, secret or password appears in logs', () => {
  let server: TestServer;
  const logged: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  beforeEach(() => {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(
          args
            .map((arg) => (arg instanceof Error ? `${arg.message}\n${arg.stack}` : String(arg)))
            .join(' '),
        );
      });
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a whole flow with failures along the way leaks nothing to the console', async () => {
    const client = await registerClient(server.url, {
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'client_secret_post',
    });
    const browser = new Browser(server);
    const page = await browser.get(
      authorizeUrl(server.url, {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        state: randomState(),
      }),
    );
    await browser.submitLogin(await page.text(), { password: 'wrong-password-for-the-log-test' });
    const { tokens } = await grantTokens(server, { client, browser });
    const code = await authorizeCode(browser, client);
    await exchangeCode(server.url, client, code);
    await exchangeCode(server.url, client, code); // replay
    await refresh(server.url, client, tokens.refresh_token);
    await refresh(server.url, client, 'forged-refresh-token-for-the-log-test');

    const output = logged.join('\n');
    for (const secret of [
      tokens.access_token,
      tokens.refresh_token,
      code.code,
      code.verifier,
      client.client_secret!,
      TEST_ACCOUNT.password,
      'wrong-password-for-the-log-test',
      'forged-refresh-token-for-the-log-test',
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});
