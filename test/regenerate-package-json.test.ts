import { describe, expect, it } from 'vitest';
import { mergePackageJson, packageJsonChanges, PackageJsonError } from '../src/regenerate/package-json-merge.js';

const json = (value: unknown, indent: string | number = 2) => `${JSON.stringify(value, null, indent)}\n`;

const base = {
  name: 'my-server',
  version: '0.1.0',
  scripts: { dev: 'tsx watch src/server.ts', test: 'vitest run', lint: 'eslint .' },
  dependencies: { dotenv: '16.4.5', express: '5.1.0', zod: '4.0.0' },
  devDependencies: { vitest: '4.0.0' },
  engines: { node: '>=20' },
};

describe('mergePackageJson', () => {
  it('applies what only the generator changed: added, updated and removed keys', () => {
    const theirs = {
      ...base,
      scripts: { dev: 'tsx watch src/server.ts', test: 'vitest run', typecheck: 'tsc --noEmit' },
      dependencies: { dotenv: '17.4.1', express: '5.1.0', pg: '8.23.1', zod: '4.0.0' },
    };
    const result = mergePackageJson({ ours: json(base), base: json(base), theirs: json(theirs) });
    expect(JSON.parse(result.contents)).toEqual(theirs);
    expect(result.applied).toEqual([
      { section: 'dependencies', key: 'dotenv', from: '16.4.5', to: '17.4.1' },
      { section: 'dependencies', key: 'pg', to: '8.23.1' },
      { section: 'scripts', key: 'lint', from: 'eslint .' },
      { section: 'scripts', key: 'typecheck', to: 'tsc --noEmit' },
    ]);
    expect(result.conflicts).toEqual([]);
  });

  it("keeps the user's changed, added and removed keys, and every other top-level key", () => {
    const ours = {
      ...base,
      description: 'mine',
      scripts: { dev: 'tsx watch --clear-screen=false src/server.ts', test: 'vitest run' },
      dependencies: { ...base.dependencies, ms: '2.1.3' },
      engines: { node: '>=22' },
    };
    const theirs = { ...base, dependencies: { ...base.dependencies, express: '5.3.0' }, engines: { node: '>=20.19' } };
    const result = mergePackageJson({ ours: json(ours), base: json(base), theirs: json(theirs) });
    expect(JSON.parse(result.contents)).toEqual({ ...ours, dependencies: { ...ours.dependencies, express: '5.3.0' } });
    expect(result.notApplied).toEqual(['engines']);
    expect(result.conflicts).toEqual([]);
  });

  it("reports keys both changed differently as conflicts and keeps the user's value", () => {
    const ours = { ...base, dependencies: { ...base.dependencies, zod: '4.1.0' }, devDependencies: {} };
    const theirs = {
      ...base,
      dependencies: { ...base.dependencies, zod: '4.6.7' },
      devDependencies: { vitest: '4.1.12' },
    };
    const result = mergePackageJson({ ours: json(ours), base: json(base), theirs: json(theirs) });
    expect(result.conflicts).toEqual([
      { section: 'dependencies', key: 'zod', yours: '4.1.0', base: '4.0.0', generator: '4.6.7' },
      { section: 'devDependencies', key: 'vitest', yours: undefined, base: '4.0.0', generator: '4.1.12' },
    ]);
    expect(JSON.parse(result.contents)).toEqual(ours);
    // nothing applied: the user's bytes are kept as they are
    expect(result.contents).toBe(json(ours));
  });

  it('keeps the indentation, line endings and a sorted dependency list', () => {
    const ours = json({ ...base, dependencies: { aaa: '1.0.0', ...base.dependencies } }, '\t').replace(/\n/g, '\r\n');
    const theirs = { ...base, dependencies: { ...base.dependencies, pg: '8.23.1' } };
    const result = mergePackageJson({ ours, base: json(base), theirs: json(theirs) });
    expect(result.contents).toBe(
      json(
        { ...base, dependencies: { aaa: '1.0.0', dotenv: '16.4.5', express: '5.1.0', pg: '8.23.1', zod: '4.0.0' } },
        '\t',
      ).replace(/\n/g, '\r\n'),
    );
  });

  it('treats an unknown base as empty: new keys are added, differing ones conflict', () => {
    const ours = { ...base, dependencies: { express: '5.0.0' } };
    const theirs = { ...base, dependencies: { express: '5.3.0', zod: '4.6.7' } };
    const result = mergePackageJson({ ours: json(ours), base: '', theirs: json(theirs) });
    expect(JSON.parse(result.contents).dependencies).toEqual({ express: '5.0.0', zod: '4.6.7' });
    expect(result.conflicts.map((c) => c.key)).toEqual(['express']);
  });

  it('refuses a package.json that is not a JSON object', () => {
    expect(() => mergePackageJson({ ours: '{ "name": ', base: json(base), theirs: json(base) })).toThrow(
      PackageJsonError,
    );
    expect(() => mergePackageJson({ ours: '[]', base: json(base), theirs: json(base) })).toThrow(
      'your package.json is not a JSON object',
    );
  });
});

describe('packageJsonChanges', () => {
  it('lists the added, changed and removed keys of the merged sections', () => {
    const after = {
      ...base,
      dependencies: { dotenv: '17.4.1', express: '5.1.0', pg: '8.23.1' },
      description: 'ignored',
    };
    expect(packageJsonChanges(json(base), json(after))).toEqual([
      { section: 'dependencies', key: 'dotenv', from: '16.4.5', to: '17.4.1' },
      { section: 'dependencies', key: 'zod', from: '4.0.0' },
      { section: 'dependencies', key: 'pg', to: '8.23.1' },
    ]);
  });
});
