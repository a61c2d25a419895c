import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  DEFAULT_ALLOWED_ORIGINS,
  estimatedEntropyBits,
  loadConfig,
} from '../src/config.js';
import { REQUIRED_STORAGE_ENV } from './helpers/storage-env.js';

/** Strong enough for production, so tests with a public PUBLIC_URL pass the production checks. */
const SECRET = 'config-test-secret-Q7v2mK9xR4tL8wZ3pN6';

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
    expect(config.refreshGraceSeconds).toBe(600);
    expect(config.accessTokenTtlOverrides.size).toBe(0);
    expect(config.issParameter).toBe('omit');
    expect(config.trustProxy).toEqual({ kind: 'none' });
    expect(config.passwordHashCost).toBe('standard');
    expect(config.rateLimits.register.limit).toBeGreaterThanOrEqual(60);
    expect(config.rateLimits.token.limit).toBe(120);
    expect(config.rateLimits.tokenPerAddress.limit).toBeGreaterThanOrEqual(1200);
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
      RATE_LIMIT_REGISTER: '5',
      RATE_LIMIT_TOKEN: '6',
      RATE_LIMIT_LOGIN: '7',
      RATE_LIMIT_TOKEN_PER_ADDRESS: '8',
      RATE_LIMIT_LOGIN_ACCOUNT: '9',
      LOGIN_BACKOFF_MAX_SECONDS: '10',
    });
    expect(config.port).toBe(4000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.publicUrl).toBe('https://mcp.example.com');
    expect(config.allowedOrigins).toEqual(['https://app.example.com', 'https://other.example.com']);
    expect(config.accessTokenTtl).toBe(60);
    expect(config.refreshTokenTtl).toBe(86400);
    expect(config.refreshGraceSeconds).toBe(0);
    expect(config.issParameter).toBe('emit');
    expect(config.trustProxy).toEqual({ kind: 'hops', hops: 1 });
    expect(config.rateLimits.register.limit).toBe(5);
    expect(config.rateLimits.token.limit).toBe(6);
    expect(config.rateLimits.login.limit).toBe(7);
    expect(config.rateLimits.tokenPerAddress.limit).toBe(8);
    expect(config.rateLimits.loginAccount.freeFailures).toBe(9);
    expect(config.rateLimits.loginAccount.maxBackoffSeconds).toBe(10);
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
    [
      'TRUST_PROXY that is not a hop count or CIDR list',
      { TRUST_PROXY: 'perhaps' },
      /TRUST_PROXY.*"perhaps"/,
    ],
    [
      'TRUST_PROXY with a bad CIDR',
      { TRUST_PROXY: '10.0.0.0/8, 10.0.0.0/99' },
      /TRUST_PROXY.*"10.0.0.0\/99"/,
    ],
    [
      'PASSWORD_HASH_COST that is unknown',
      { PASSWORD_HASH_COST: 'cheap' },
      /PASSWORD_HASH_COST.*"cheap"/,
    ],
    [
      'PASSWORD_HASH_COST=test on a public PUBLIC_URL',
      { PASSWORD_HASH_COST: 'test', PUBLIC_URL: 'https://mcp.example.com' },
      /PASSWORD_HASH_COST=test/,
    ],
    [
      'RATE_LIMIT_TOKEN_PER_ADDRESS of zero',
      { RATE_LIMIT_TOKEN_PER_ADDRESS: '0' },
      /RATE_LIMIT_TOKEN_PER_ADDRESS/,
    ],
    [
      'RATE_LIMIT_LOGIN_ACCOUNT that is not a number',
      { RATE_LIMIT_LOGIN_ACCOUNT: 'five' },
      /RATE_LIMIT_LOGIN_ACCOUNT.*"five"/,
    ],
    [
      'LOGIN_BACKOFF_MAX_SECONDS of zero',
      { LOGIN_BACKOFF_MAX_SECONDS: '0' },
      /LOGIN_BACKOFF_MAX_SECONDS/,
    ],
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

describe('rule production: refuses settings that are only safe on a developer machine', () => {
  const PRODUCTION = { NODE_ENV: 'production', PUBLIC_URL: 'https://mcp.example.com' };
  /** What create-mcp-oauth-server writes into .env. */
  const generatedSecret = () => randomBytes(32).toString('base64url');

  it('accepts a production configuration with https and the secret the generator writes', () => {
    for (let i = 0; i < 20; i++) {
      expect(load({ ...PRODUCTION, SESSION_SECRET: generatedSecret() }).publicUrl).toBe(
        'https://mcp.example.com',
      );
    }
  });

  it('accepts random hex secrets (openssl rand -hex 16 and 32)', () => {
    for (let i = 0; i < 50; i++) {
      for (const bytes of [16, 32]) {
        const secret = randomBytes(bytes).toString('hex');
        expect(() => load({ ...PRODUCTION, SESSION_SECRET: secret }), secret).not.toThrow();
      }
    }
  });

  const refusals: [string, Record<string, string>, RegExp][] = [
    [
      'an http PUBLIC_URL under NODE_ENV=production, even on loopback',
      { NODE_ENV: 'production', PUBLIC_URL: 'http://localhost:3000' },
      /PUBLIC_URL must be https when NODE_ENV=production/,
    ],
    [
      'an http PUBLIC_URL whose host is not loopback',
      { PUBLIC_URL: 'http://mcp.example.com' },
      /PUBLIC_URL must be https when PUBLIC_URL is not a loopback address/,
    ],
    [
      'the CIMD private-address switch under NODE_ENV=production',
      { ...PRODUCTION, CIMD_ALLOW_PRIVATE_ADDRESSES: 'true' },
      /CIMD_ALLOW_PRIVATE_ADDRESSES is for test suites only/,
    ],
    [
      'the CIMD private-address switch on a public PUBLIC_URL',
      { PUBLIC_URL: 'https://mcp.example.com', CIMD_ALLOW_PRIVATE_ADDRESSES: 'true' },
      /CIMD_ALLOW_PRIVATE_ADDRESSES is for test suites only/,
    ],
    [
      'a SESSION_SECRET of 32 times the same letter',
      { ...PRODUCTION, SESSION_SECRET: 'x'.repeat(32) },
      /SESSION_SECRET is too predictable \(about 0 bits/,
    ],
    [
      'a SESSION_SECRET that repeats a word',
      { ...PRODUCTION, SESSION_SECRET: 'changeme'.repeat(4) },
      /SESSION_SECRET is too predictable/,
    ],
    [
      'a SESSION_SECRET of two letters alternating, on a public PUBLIC_URL',
      { PUBLIC_URL: 'https://mcp.example.com', SESSION_SECRET: 'ab'.repeat(32) },
      /SESSION_SECRET is too predictable/,
    ],
    [
      'a short SESSION_SECRET',
      { ...PRODUCTION, SESSION_SECRET: 'Zq8#rT2!' },
      /SESSION_SECRET must be at least 32 characters/,
    ],
  ];

  for (const [name, env, message] of refusals) {
    it(`refuses ${name}, in one line`, () => {
      const error = errorOf(env);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('\n');
    });
  }

  it('lets a developer machine keep the test switches and a weak secret (loopback PUBLIC_URL, no NODE_ENV)', () => {
    for (const publicUrl of [
      'http://localhost:3000',
      'http://127.0.0.1:8080',
      'http://[::1]:3000',
    ]) {
      const config = load({
        PUBLIC_URL: publicUrl,
        CIMD_ALLOW_PRIVATE_ADDRESSES: 'true',
        SESSION_SECRET: 'x'.repeat(32),
      });
      expect(config.cimdAllowPrivateAddresses).toBe(true);
    }
  });

  it('counts a 127/8 address other than 127.0.0.1 as loopback, and a look-alike name as public', () => {
    expect(() => load({ PUBLIC_URL: 'http://127.0.0.2:3000' })).not.toThrow();
    expect(errorOf({ PUBLIC_URL: 'http://127.0.0.1.example.com' }).message).toMatch(/https/);
    expect(errorOf({ PUBLIC_URL: 'http://localhost.example.com' }).message).toMatch(/https/);
  });

  it('estimates entropy from character frequencies', () => {
    expect(estimatedEntropyBits('x'.repeat(32))).toBe(0);
    expect(estimatedEntropyBits('ab'.repeat(16))).toBe(32);
    expect(estimatedEntropyBits('0123456789abcdef'.repeat(2))).toBe(128);
  });
});
