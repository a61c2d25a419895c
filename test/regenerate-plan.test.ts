import { describe, expect, it } from 'vitest';
import { buildManifest, hashContents, type Manifest } from '../src/render/manifest.js';
import { ownershipOf } from '../src/render/ownership.js';
import type { RenderedFile } from '../src/render/render.js';
import { buildBaseFile, createBaseLookup, type BaseFileState } from '../src/regenerate/base-render.js';
import { planRegenerate, type PlannedFile } from '../src/regenerate/plan.js';
import { buildResult, formatPlan } from '../src/regenerate/report.js';
import { QUIRK_IDS } from '../src/quirks.js';
import { ANSWERS } from './fixtures/regenerate/project.js';

const lines = (...items: string[]) => `${items.join('\n')}\n`;
const file = (path: string, contents: string): RenderedFile => ({ path, contents, ownership: ownershipOf(path) });

const OLD = [
  file('src/a.ts', lines('a1', 'a2', 'a3', 'a4', 'a5')),
  file('src/gone.ts', lines('gone')),
  file('src/gone-edited.ts', lines('gone')),
  file('src/deleted.ts', lines('deleted')),
  file('src/tools/sample.ts', lines('sample')),
  file('src/tools/old-sample.ts', lines('old sample')),
];
const NEW = [
  file('src/a.ts', lines('a1', 'a2', 'a3', 'a4', 'A5 (new)')),
  file('src/deleted.ts', lines('deleted, new')),
  file('src/new.ts', lines('new')),
  file('src/clash.ts', lines('generator')),
  file('src/tools/sample.ts', lines('sample, new')),
  file('src/tools/new-sample.ts', lines('new sample')),
];

function recordedManifest(files: readonly RenderedFile[], version: string): Manifest {
  const manifest = buildManifest(ANSWERS, files);
  manifest.generator.version = version;
  manifest.quirks = QUIRK_IDS.slice(1);
  return manifest;
}

async function plan(options: {
  disk: Record<string, string>;
  version?: string;
  stored?: BaseFileState;
  renderOfRecorded?: readonly RenderedFile[];
}) {
  const version = options.version ?? '0.0.9';
  const recorded = recordedManifest(OLD, version);
  const stored = options.stored ?? { status: 'present', base: buildBaseFile(OLD, version) };
  return planRegenerate({
    recorded,
    answers: ANSWERS,
    rendered: NEW,
    generatorVersion: '0.1.0',
    readDisk: async (path) => options.disk[path],
    baseOf: createBaseLookup(recorded, stored, async () => options.renderOfRecorded ?? NEW),
  });
}

const byPath = (files: readonly PlannedFile[]) => Object.fromEntries(files.map((f) => [f.path, f]));

const untouched = Object.fromEntries(OLD.map((f) => [f.path, f.contents]));

describe('planRegenerate', () => {
  it('decides each ownership case', async () => {
    const { 'src/deleted.ts': _deletedByUser, ...onDisk } = untouched;
    const result = await plan({
      disk: {
        ...onDisk,
        'src/a.ts': lines('a1 (mine)', 'a2', 'a3', 'a4', 'a5'),
        'src/gone-edited.ts': lines('gone, but mine'),
        'src/clash.ts': lines('mine'),
        'src/tools/sample.ts': lines('sample, mine'),
      },
    });
    const files = byPath(result.files);
    expect(files['src/a.ts']).toMatchObject({
      action: 'merged',
      contents: lines('a1 (mine)', 'a2', 'a3', 'a4', 'A5 (new)'),
    });
    expect(files['src/deleted.ts']).toMatchObject({ action: 'deleted', reason: 'deleted by you: stays deleted' });
    expect(files['src/new.ts']).toMatchObject({ action: 'created', contents: lines('new') });
    // a file of the user's where the new version renders one: both versions, in markers
    expect(files['src/clash.ts']).toMatchObject({ action: 'conflicted', withoutBase: true });
    expect(files['src/tools/sample.ts']).toMatchObject({ action: 'kept', reason: 'sample file: yours, never updated' });
    expect(files['src/tools/sample.ts']!.contents).toBeUndefined();
    expect(files['src/tools/new-sample.ts']).toMatchObject({ action: 'created' });
    expect(files['src/gone.ts']).toMatchObject({ action: 'removed' });
    expect(files['src/gone-edited.ts']).toMatchObject({
      action: 'kept',
      reason: 'no longer generated; kept because you edited it',
    });
    expect(files['src/tools/old-sample.ts']).toMatchObject({
      action: 'kept',
      reason: 'sample file: yours, no longer generated',
    });

    expect(result.quirksGained.map((q) => q.id)).toEqual([QUIRK_IDS[0]]);
    expect(result.updateAvailable).toBe(true);
    expect(result.conflicts).toBe(1);
  });

  it('records the new render in the manifest and base; a sample keeps the hash it was created with', async () => {
    const result = await plan({ disk: untouched });
    expect(Object.keys(result.manifest.files).sort()).toEqual(NEW.map((f) => f.path).sort());
    expect(result.manifest.files['src/a.ts']!.hash).toBe(hashContents(NEW[0]!.contents));
    // still listed, so it stays deleted next time instead of being created again
    expect(result.manifest.files['src/deleted.ts']).toBeDefined();
    expect(result.manifest.files['src/tools/sample.ts']!.hash).toBe(hashContents(lines('sample')));
    expect(result.base).toEqual(buildBaseFile(NEW, '0.1.0'));
    expect(result.manifest.quirks).toEqual(QUIRK_IDS);
  });

  it('without a base file, merges against a render of the recorded answers when its hash is the recorded one', async () => {
    const edited = lines('a1 (mine)', 'a2', 'a3', 'a4', 'a5');
    // same version: this generator renders exactly what was recorded
    const sameVersion = await plan({
      disk: { ...untouched, 'src/a.ts': edited },
      stored: { status: 'missing' },
      renderOfRecorded: OLD,
    });
    expect(byPath(sameVersion.files)['src/a.ts']).toMatchObject({ action: 'merged' });
  });

  it('without a usable base, an edited file is a conflict against an empty base, never overwritten', async () => {
    const edited = lines('a1 (mine)', 'a2', 'a3', 'a4', 'a5');
    for (const stored of [
      { status: 'missing' } as const,
      { status: 'unreadable', reason: 'not valid JSON' } as const,
      // a hand-edited base file: its hash does not match the manifest, so it is not trusted
      { status: 'present', base: { generatorVersion: '0.0.9', files: { 'src/a.ts': lines('tampered') } } } as const,
    ]) {
      const result = await plan({ disk: { ...untouched, 'src/a.ts': edited }, stored });
      const planned = byPath(result.files)['src/a.ts']!;
      expect(planned, stored.status).toMatchObject({
        action: 'conflicted',
        withoutBase: true,
        reason: 'no base render to merge against: both versions are in the markers',
      });
      expect(planned.contents).toContain('<<<<<<< yours\na1 (mine)');
      // unedited files need no base
      expect(byPath(result.files)['src/gone.ts']).toMatchObject({ action: 'removed' });
    }
  });

  it('nothing to do: no update available', async () => {
    const recorded = recordedManifest(NEW, '0.1.0');
    recorded.quirks = [...QUIRK_IDS];
    const result = await planRegenerate({
      recorded,
      answers: ANSWERS,
      rendered: NEW,
      generatorVersion: '0.1.0',
      readDisk: async (path) => NEW.find((f) => f.path === path)?.contents,
      baseOf: createBaseLookup(recorded, { status: 'present', base: buildBaseFile(NEW, '0.1.0') }, async () => NEW),
    });
    expect(result.files.every((f) => f.action === 'unchanged')).toBe(true);
    expect(result.updateAvailable).toBe(false);
    expect(result.dependenciesChanged).toBe(false);
  });
});

describe('formatPlan', () => {
  it('says when the base file is missing and which files merged against an empty base', async () => {
    const edited = lines('a1 (mine)', 'a2', 'a3', 'a4', 'a5');
    const stored = { status: 'missing' } as const;
    const result = await plan({ disk: { ...untouched, 'src/a.ts': edited }, stored });
    const text = formatPlan(
      buildResult({
        mode: 'dry-run',
        dir: '/tmp/my-server',
        recordedVersion: '0.0.9',
        generatorVersion: '0.1.0',
        recordedAnswers: ANSWERS,
        answers: ANSWERS,
        baseFile: stored,
        plan: result,
      }),
    );
    expect(text).toContain('! .mcp-oauth-server.base.json is missing.');
    expect(text).toMatch(/conflicted\s+src\/a\.ts\s+no base render to merge against: both versions are in the markers/);
    expect(text).toMatch(/removed\s+src\/gone\.ts\s+no longer generated/);
    expect(text).toContain(`Quirk patches gained (1):\n  ${QUIRK_IDS[0]}`);
  });
});
