import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ANSWERS,
  FRAMEWORKS,
  OptionError,
  STORAGES,
  SUPPORTED_COMBINATIONS,
  defaultFrameworkFor,
  defaultStorageFor,
  frameworksAvailableWith,
  isSupported,
  parseScopes,
  storagesAvailableWith,
  validateAnswers,
  validateProjectName,
  type Answers,
  type Combinations,
} from '../src/options.js';

const validAnswers: Answers = { projectName: 'my-server', ...DEFAULT_ANSWERS };

describe('parseScopes', () => {
  it.each([
    ['mcp:read,mcp:write', ['mcp:read', 'mcp:write']],
    [' notes:read , notes:write ', ['notes:read', 'notes:write']],
    ['read', ['read']],
    ['a.b_c-d:e9', ['a.b_c-d:e9']],
    ['mcp:read,,mcp:write,', ['mcp:read', 'mcp:write']],
  ])('accepts %j', (input, expected) => {
    expect(parseScopes(input)).toEqual(expected);
  });

  it('accepts a repeated flag as an array', () => {
    expect(parseScopes(['a,b', 'c'])).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['', /at least one scope/],
    [' , ', /at least one scope/],
    ['Mcp:read', /invalid scope "Mcp:read"/],
    ['1scope', /invalid scope "1scope"/],
    ['mcp read', /invalid scope "mcp read"/],
    ['mcp:read,offline_access', /offline_access/],
    ['a,b,a', /twice/],
  ])('refuses %j', (input, message) => {
    expect(() => parseScopes(input)).toThrow(OptionError);
    expect(() => parseScopes(input)).toThrow(message);
  });
});

describe('validateProjectName', () => {
  it.each(['my-server', 'a', 'server.v2', 'mcp_server', '0day'])('accepts %s', (name) => {
    expect(validateProjectName(name)).toBeUndefined();
  });

  it.each(['', 'My-Server', '-server', '.hidden', 'my server', '@scope/name', 'a'.repeat(215)])(
    'refuses %j',
    (name) => {
      expect(validateProjectName(name)).toMatch(/project name|not a valid package name/);
    },
  );
});

describe('validateAnswers', () => {
  it('accepts every supported combination', () => {
    for (const combination of SUPPORTED_COMBINATIONS) {
      expect(validateAnswers({ ...validAnswers, ...combination })).toEqual({ ...validAnswers, ...combination });
    }
  });

  it('refuses a combination without templates and lists the available ones', () => {
    const partial: Combinations = [
      { framework: 'express', storage: 'sqlite' },
      { framework: 'hono', storage: 'memory' },
    ];
    expect(() => validateAnswers({ ...validAnswers, framework: 'hono', storage: 'sqlite' }, partial)).toThrow(
      'hono with sqlite storage is not available yet (available: express+sqlite, hono+memory)',
    );
    expect(isSupported('hono', 'sqlite', partial)).toBe(false);
    expect(frameworksAvailableWith('sqlite', partial)).toEqual(['express']);
    expect(storagesAvailableWith('hono', partial)).toEqual(['memory']);
    expect(defaultStorageFor('hono', partial)).toBe('memory');
    expect(defaultFrameworkFor('memory', partial)).toBe('hono');
  });

  it('refuses unknown values and bad scopes', () => {
    expect(() => validateAnswers({ ...validAnswers, framework: 'koa' as never })).toThrow('unknown framework "koa"');
    expect(() => validateAnswers({ ...validAnswers, storage: 'mongo' as never })).toThrow('unknown storage "mongo"');
    expect(() => validateAnswers({ ...validAnswers, scopes: ['BAD'] })).toThrow('invalid scope "BAD"');
    expect(() => validateAnswers({ ...validAnswers, projectName: 'Bad' })).toThrow('not a valid package name');
  });
});

describe('the combination table drives what is offered', () => {
  it('offers exactly the frameworks and storages of SUPPORTED_COMBINATIONS', () => {
    const frameworks = new Set(SUPPORTED_COMBINATIONS.map((c) => c.framework));
    const storages = new Set(SUPPORTED_COMBINATIONS.map((c) => c.storage));
    expect(new Set(frameworksAvailableWith(undefined))).toEqual(frameworks);
    expect(new Set(storagesAvailableWith(undefined))).toEqual(storages);
    for (const { framework, storage } of SUPPORTED_COMBINATIONS) {
      expect(storagesAvailableWith(framework)).toContain(storage);
      expect(frameworksAvailableWith(storage)).toContain(framework);
    }
  });

  it('keeps the documented defaults when they are available, and always picks an available one', () => {
    expect(defaultFrameworkFor(undefined)).toBe('express');
    expect(defaultStorageFor('express')).toBe('sqlite');
    for (const storage of storagesAvailableWith(undefined)) {
      expect(isSupported(defaultFrameworkFor(storage)!, storage)).toBe(true);
    }
    expect(defaultStorageFor('hono')).toBe(storagesAvailableWith('hono')[0]);
  });
});
