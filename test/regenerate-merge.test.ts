import { describe, expect, it } from 'vitest';
import { detectLineEnding } from '../src/regenerate/line-endings.js';
import { mergeThreeWay } from '../src/regenerate/three-way-merge.js';

const versions = { baseVersion: '0.0.9', theirsVersion: '0.1.0' };
const lines = (...items: string[]) => `${items.join('\n')}\n`;
const crlf = (text: string) => text.replace(/\n/g, '\r\n');

describe('mergeThreeWay (git merge-file, line based)', () => {
  const base = lines('one', 'two', 'three', 'four', 'five');

  it('combines edits to different lines', async () => {
    const ours = lines('one', 'TWO (mine)', 'three', 'four', 'five');
    const theirs = lines('one', 'two', 'three', 'four', 'FIVE (generator)');
    expect(await mergeThreeWay({ ours, base, theirs, ...versions })).toEqual({
      contents: lines('one', 'TWO (mine)', 'three', 'four', 'FIVE (generator)'),
      outcome: 'clean',
      conflicts: 0,
    });
  });

  it('marks edits to the same lines with yours / generator <old> / generator <new> labels', async () => {
    const ours = lines('one', 'two', 'mine', 'four', 'five');
    const theirs = lines('one', 'two', 'generator', 'four', 'five');
    const result = await mergeThreeWay({ ours, base, theirs, ...versions });
    expect(result.outcome).toBe('conflict');
    expect(result.conflicts).toBe(1);
    expect(result.contents).toBe(
      lines(
        'one',
        'two',
        '<<<<<<< yours',
        'mine',
        '||||||| generator 0.0.9',
        'three',
        '=======',
        'generator',
        '>>>>>>> generator 0.1.0',
        'four',
        'five',
      ),
    );
  });

  it('counts every conflicting hunk', async () => {
    const ours = lines('ONE', 'two', 'three', 'four', 'FIVE');
    const theirs = lines('1', 'two', 'three', 'four', '5');
    expect((await mergeThreeWay({ ours, base, theirs, ...versions })).conflicts).toBe(2);
  });

  it('keeps the CRLF line endings of a Windows checkout, in clean merges and in markers', async () => {
    const ours = crlf(lines('one', 'TWO (mine)', 'three', 'four', 'five'));
    const theirs = lines('one', 'two', 'three', 'four', 'FIVE (generator)');
    const clean = await mergeThreeWay({ ours, base, theirs, ...versions });
    expect(clean.contents).toBe(crlf(lines('one', 'TWO (mine)', 'three', 'four', 'FIVE (generator)')));

    const conflicting = await mergeThreeWay({
      ours: crlf(lines('one', 'mine', 'three', 'four', 'five')),
      base,
      theirs: lines('one', 'gen', 'three', 'four', 'five'),
      ...versions,
    });
    expect(conflicting.outcome).toBe('conflict');
    expect(conflicting.contents).not.toMatch(/[^\r]\n/);
    expect(conflicting.contents).toContain(
      '<<<<<<< yours\r\nmine\r\n||||||| generator 0.0.9\r\ntwo\r\n=======\r\ngen\r\n>>>>>>> generator 0.1.0\r\n',
    );
  });

  it('a copy that differs only in line endings takes the new render, in its own line endings', async () => {
    const theirs = lines('one', 'two', 'THREE', 'four', 'five');
    expect(await mergeThreeWay({ ours: crlf(base), base, theirs, ...versions })).toEqual({
      contents: crlf(theirs),
      outcome: 'theirs',
      conflicts: 0,
    });
  });

  it('keeps the exact bytes of the user copy when the generator changed nothing', async () => {
    const ours = crlf(lines('one', 'mine', 'three', 'four', 'five'));
    expect(await mergeThreeWay({ ours, base, theirs: base, ...versions })).toEqual({
      contents: ours,
      outcome: 'ours',
      conflicts: 0,
    });
  });

  it('against an unknown (empty) base, different copies conflict as whole files', async () => {
    const result = await mergeThreeWay({
      ours: lines('a', 'mine'),
      base: '',
      theirs: lines('a', 'generator'),
      ...versions,
    });
    expect(result.outcome).toBe('conflict');
    expect(result.contents).toMatch(
      /^<<<<<<< yours\n[\s\S]*\n\|\|\|\|\|\|\| generator 0\.0\.9\n=======\n[\s\S]*>>>>>>> generator 0\.1\.0\n$/,
    );
  });

  it('handles files without a final newline', async () => {
    const result = await mergeThreeWay({
      ours: 'mine\ntwo\nthree',
      base: 'one\ntwo\nthree',
      theirs: 'one\ntwo\nthree\nfour',
      ...versions,
    });
    expect(result).toMatchObject({ outcome: 'clean', contents: 'mine\ntwo\nthree\nfour' });
  });
});

describe('detectLineEnding', () => {
  it.each([
    ['a\nb\n', '\n'],
    ['a\r\nb\r\n', '\r\n'],
    ['a\r\nb\r\nc\n', '\r\n'],
    ['a\nb\nc\r\n', '\n'],
    ['no newline', '\n'],
  ])('%j -> %j', (text, ending) => {
    expect(detectLineEnding(text)).toBe(ending);
  });
});
