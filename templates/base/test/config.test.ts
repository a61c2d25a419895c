import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_ALLOWED_ORIGINS, loadConfig } from '../src/config.js';
import { REQUIRED_STORAGE_ENV } from './helpers/storage-env.js';

const SECRET = 'x'.repeat(32);

function load(env: Record<string, string> = {}) {
  return loadConfig({ SESSION_SECRET: SECRET, ...REQUIRED_STORAGE_ENV, ...env });
}

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ SESSION_SECRET: SECRET, ...REQUIRED_STORAGE_ENV, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('config: defaults', () => {
  it('uses the documented defaults when only SESSION_SECRET is set', () => {
    const config = load();
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.resource).toBe('http://localhost:3000/mcp');
    expect(config.accessTokenTtl).toBe(3600);
    expect(config.refreshTokenTtl).toBe(30 * 24 * 3600);
    expect(config.refreshGraceSeconds).toBe(120);
    expect(config.issParameter).toBe('omit');
    expect(config.trustProxy).toBe(false);
    expect(config.cimdAllowPrivateAddresses).toBe(false);
    expect(config.allowedOrigins).toEqual(DEFAULT_ALLOWED_ORIGINS);
    expect(config.authorizationCodeTtl).toBeGreaterThan(0);
    expect(config.authorizationCodeTtl).toBeLessThanOrEqual(600);
  });

  it('allows the browser-based MCP clients by default', () => {
    expect(load().allowedOrigins).toEqual(
      expect.arrayContaining([
        'https://claude.ai',
        'https://claude.com',
        'https://chatgpt.com',
        'https://cursor.com',
        'https://vscode.dev',
        'https://insiders.vscode.dev',
        'https://github.dev',
      ]),
    );
  });

  it('derives the default PUBLIC_URL from PORT', () => {
    expect(load({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it('strips a trailing slash from PUBLIC_URL and builds the resource from it', () => {
    const config = load({ PUBLIC_URL: 'https://mcp.example.com/' });
    expect(config.publicUrl).toBe('https://mcp.example.com');
    expect(config.resource).toBe('https://mcp.example.com/mcp');
  });

  it('keeps a PUBLIC_URL path (a server mounted under a prefix)', () => {
    const config = load({ PUBLIC_URL: 'https://example.com/tools' });
    expect(config.publicUrl).toBe('https://example.com/tools');
    expect(config.resource).toBe('https://example.com/tools/mcp');
  });

  it('reads every setting from the environment', () => {
    const config = load({
      PORT: '4000',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://mcp.example.com',
      ALLOWED_ORIGINS: 'https://app.example.com, https://other.example.com',
      ACCESS_TOKEN_TTL: '60',
      REFRESH_TOKEN_TTL: '86400',
      REFRESH_GRACE_SECONDS: '0',
      ISS_PARAMETER: 'emit',
      TRUST_PROXY: 'true',
      CIMD_ALLOW_PRIVATE_ADDRESSES: 'true',
      RATE_LIMIT_REGISTER: '5',
      RATE_LIMIT_TOKEN: '6',
      RATE_LIMIT_LOGIN: '7',
    });
    expect(config.port).toBe(4000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.publicUrl).toBe('https://mcp.example.com');
    expect(config.allowedOrigins).toEqual(['https://app.example.com', 'https://other.example.com']);
    expect(config.accessTokenTtl).toBe(60);
    expect(config.refreshTokenTtl).toBe(86400);
    expect(config.refreshGraceSeconds).toBe(0);
    expect(config.issParameter).toBe('emit');
    expect(config.trustProxy).toBe(true);
    expect(config.cimdAllowPrivateAddresses).toBe(true);
    expect(config.rateLimits.register.limit).toBe(5);
    expect(config.rateLimits.token.limit).toBe(6);
    expect(config.rateLimits.login.limit).toBe(7);
  });
});

describe('config: clear errors for bad values', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['PORT that is not a number', { PORT: 'abc' }, /PORT.*"abc"/],
    ['PORT out of range', { PORT: '70000' }, /PORT/],
    ['PUBLIC_URL with a non-http scheme', { PUBLIC_URL: 'ftp://x' }, /PUBLIC_URL.*ftp:\/\/x/],
    ['PUBLIC_URL that is not a URL', { PUBLIC_URL: 'mcp.example.com' }, /PUBLIC_URL/],
    ['PUBLIC_URL with a query', { PUBLIC_URL: 'https://mcp.example.com/?a=1' }, /PUBLIC_URL/],
    [
      'SESSION_SECRET shorter than 32 characters',
      { SESSION_SECRET: 'short' },
      /SESSION_SECRET.*32/,
    ],
    ['ISS_PARAMETER other than omit or emit', { ISS_PARAMETER: 'maybe' }, /ISS_PARAMETER.*"maybe"/],
    [
      'ALLOWED_ORIGINS that is not a URL',
      { ALLOWED_ORIGINS: 'not-a-url' },
      /ALLOWED_ORIGINS.*not-a-url/,
    ],
    [
      'ALLOWED_ORIGINS with a path',
      { ALLOWED_ORIGINS: 'https://claude.ai/chat' },
      /ALLOWED_ORIGINS/,
    ],
    ['ACCESS_TOKEN_TTL of zero', { ACCESS_TOKEN_TTL: '0' }, /ACCESS_TOKEN_TTL/],
    ['ACCESS_TOKEN_TTL with a fraction', { ACCESS_TOKEN_TTL: '1.5' }, /ACCESS_TOKEN_TTL/],
    ['REFRESH_TOKEN_TTL that is negative', { REFRESH_TOKEN_TTL: '-1' }, /REFRESH_TOKEN_TTL/],
    [
      'REFRESH_GRACE_SECONDS that is not a number',
      { REFRESH_GRACE_SECONDS: 'soon' },
      /REFRESH_GRACE_SECONDS/,
    ],
    ['TRUST_PROXY that is not a boolean', { TRUST_PROXY: 'perhaps' }, /TRUST_PROXY.*"perhaps"/],
  ];

  for (const [name, env, message] of cases) {
    it(`rejects ${name}`, () => {
      const error = errorOf(env);
      expect(error.name).toBe('ConfigError');
      expect(error.message).toMatch(message);
    });
  }

  it('rejects a missing SESSION_SECRET', () => {
    expect(() => loadConfig({ ...REQUIRED_STORAGE_ENV })).toThrow(ConfigError);
    expect(() => loadConfig({ ...REQUIRED_STORAGE_ENV })).toThrow(/SESSION_SECRET/);
  });
});
