import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { sha256 } from '../../src/oauth/crypto.js';
import { BASELINE_SCOPE, OFFLINE_ACCESS } from '../../src/oauth/scopes.js';
import { whoami } from '../helpers/mcp.js';
import { grantTokens, refresh, registerPublicClient } from '../helpers/oauth.js';
import { TEST_SESSION_SECRET, startTestServer, type TestServer } from '../helpers/server.js';
import { REQUIRED_STORAGE_ENV } from '../helpers/storage-env.js';

const CLAUDE_CALLBACK = 'https://claude.ai/api/mcp/auth_callback';
const CLAUDE_COM_CALLBACK = 'https://claude.com/api/mcp/auth_callback';
const CHATGPT_CALLBACK = 'https://chatgpt.com/connector/oauth/abc123';

describe('quirk token-lifetime-overrides: ACCESS_TOKEN_TTL_OVERRIDES sets the access-token lifetime per redirect host', () => {
  let server: TestServer;
  const frozenNow = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    server = await startTestServer(
      { ACCESS_TOKEN_TTL_OVERRIDES: 'claude.ai=28800,chatgpt.com=7200' },
      { now: () => frozenNow },
    );
  });
  afterAll(() => server.close());

  async function storedAccessExpiry(accessToken: string): Promise<number | undefined> {
    return (await server.store.findAccessToken(sha256(accessToken), frozenNow))?.expiresAt;
  }

  it('a client redirecting to claude.ai gets 8-hour access tokens, from the code and from every refresh', async () => {
    const client = await registerPublicClient(server.url, [CLAUDE_CALLBACK, CLAUDE_COM_CALLBACK]);
    const { tokens } = await grantTokens(server, { client });
    expect(tokens.expires_in).toBe(28800);
    expect(await storedAccessExpiry(tokens.access_token)).toBe(frozenNow + 28800);

    const refreshed = await refresh(server.url, client, tokens.refresh_token);
    expect(refreshed.json.expires_in).toBe(28800);
    expect(await storedAccessExpiry(refreshed.json.access_token)).toBe(frozenNow + 28800);
  });

  it('a client redirecting to chatgpt.com gets 2-hour access tokens', async () => {
    const client = await registerPublicClient(server.url, [CHATGPT_CALLBACK]);
    const { tokens } = await grantTokens(server, { client });
    expect(tokens.expires_in).toBe(7200);
    expect(await storedAccessExpiry(tokens.access_token)).toBe(frozenNow + 7200);
  });

  it('any other client keeps ACCESS_TOKEN_TTL (1 hour)', async () => {
    const { tokens } = await grantTokens(server);
    expect(tokens.expires_in).toBe(3600);
    expect(await storedAccessExpiry(tokens.access_token)).toBe(frozenNow + 3600);
  });

  it('a refresh token is issued whether or not offline_access was asked for', async () => {
    const without = await grantTokens(server, { scope: BASELINE_SCOPE });
    expect(without.tokens.scope.split(' ')).not.toContain(OFFLINE_ACCESS);
    expect(without.tokens.refresh_token).toEqual(expect.any(String));
    const refreshed = await refresh(server.url, without.client, without.tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    await whoami(server.url, refreshed.json.access_token);

    const withOffline = await grantTokens(server, { scope: `${BASELINE_SCOPE} ${OFFLINE_ACCESS}` });
    expect(withOffline.tokens.refresh_token).toEqual(expect.any(String));
  });
});

describe('quirk token-lifetime-overrides: the setting is validated when the server starts', () => {
  function load(value: string) {
    return loadConfig({
      SESSION_SECRET: TEST_SESSION_SECRET,
      ...REQUIRED_STORAGE_ENV,
      ACCESS_TOKEN_TTL_OVERRIDES: value,
    });
  }

  it('reads host=seconds pairs, host names in any case', () => {
    expect([...load(' Claude.AI=28800 , chatgpt.com=7200').accessTokenTtlOverrides]).toEqual([
      ['claude.ai', 28800],
      ['chatgpt.com', 7200],
    ]);
    expect(load('').accessTokenTtlOverrides.size).toBe(0);
  });

  it.each([
    'claude.ai',
    'claude.ai=',
    'claude.ai=0',
    'claude.ai=8h',
    'https://claude.ai=28800',
    'claude.ai:443=28800',
    'claude.ai=28800,claude.ai=7200',
  ])('refuses %j with one clear line naming the variable', (value) => {
    let error: unknown;
    try {
      load(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^ACCESS_TOKEN_TTL_OVERRIDES /);
    expect((error as ConfigError).message).not.toContain('\n');
  });
});
