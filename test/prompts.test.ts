import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCreate } from '../src/create.js';
import { CancelledError, EXIT_CANCELLED } from '../src/errors.js';
import { frameworksAvailableWith, type Combinations } from '../src/options.js';
import { promptForOpenChoices, type Choices } from '../src/prompts.js';
import { isNonEmptyDir } from '../src/target-dir.js';
import { cancel, createFakePrompts, type Answer } from './helpers/fake-prompts.js';
import { createRecordingUi } from './helpers/recording-ui.js';
import { makeTempDir } from './helpers/temp-dir.js';

const FIXTURE_TEMPLATES = fileURLToPath(new URL('fixtures/templates', import.meta.url));
const frameworkIsAsked = frameworksAvailableWith(undefined).length > 1;

/** The answers to a full interactive run, in prompt order; the framework question exists only when there is a choice. */
function fullScript(dir: string): Answer[] {
  return [dir, ...(frameworkIsAsked ? ['express'] : []), 'memory', 'notes:read,notes:write', false, false];
}

async function ask(known: Partial<Choices>, script: Answer[], cwd?: string, combinations?: Combinations) {
  const fake = createFakePrompts(script);
  const choices = await promptForOpenChoices(known, {
    api: fake.api,
    cwd: cwd ?? (await makeTempDir()),
    packageManager: 'npm',
    isNonEmptyDir,
    combinations,
  });
  return { choices, asked: fake.asked, remaining: fake.remaining };
}

describe('promptForOpenChoices', () => {
  it('asks nothing when the flags decided everything', async () => {
    const known: Partial<Choices> = {
      dir: 'x',
      framework: 'express',
      storage: 'sqlite',
      scopes: ['a'],
      login: 'local',
      install: false,
      git: false,
      overwrite: false,
    };
    const { choices, asked } = await ask(known, []);
    expect(asked).toEqual([]);
    expect(choices).toEqual(known);
  });

  it('asks every open choice in order and returns the answers', async () => {
    const { choices, asked, remaining } = await ask({}, fullScript('my-app'));
    expect(remaining).toEqual([]);
    expect(asked.map((prompt) => prompt.kind)).toEqual([
      'text',
      ...(frameworkIsAsked ? ['select'] : []),
      'select',
      'text',
      'confirm',
      'confirm',
    ]);
    expect(choices).toEqual({
      dir: 'my-app',
      framework: 'express',
      storage: 'memory',
      scopes: ['notes:read', 'notes:write'],
      login: 'local',
      install: false,
      git: false,
    });
  });

  const partial: Combinations = [
    { framework: 'express', storage: 'sqlite' },
    { framework: 'express', storage: 'memory' },
    { framework: 'fastify', storage: 'memory' },
  ];

  it('lists every framework, those without templates disabled, the default preselected', async () => {
    const { asked, choices } = await ask(
      { dir: 'x', scopes: ['a'], install: true, git: true },
      ['fastify'],
      undefined,
      partial,
    );
    expect(asked[0]).toMatchObject({ kind: 'select', message: 'Which web framework?', initialValue: 'express' });
    expect(asked[0]!.options!.map((o) => [o.value, o.disabled ?? false])).toEqual([
      ['express', false],
      ['fastify', false],
      ['hono', true],
    ]);
    // fastify has a single storage: taken without asking
    expect(asked).toHaveLength(1);
    expect(choices).toMatchObject({ framework: 'fastify', storage: 'memory' });
  });

  it('lists every storage for the chosen framework, those without templates disabled, sqlite preselected', async () => {
    const { asked } = await ask(
      { dir: 'x', framework: 'express', scopes: ['a'], install: true, git: true },
      ['memory'],
      undefined,
      partial,
    );
    expect(asked[0]).toMatchObject({ kind: 'select', initialValue: 'sqlite' });
    expect(asked[0]!.options!.map((o) => [o.value, o.disabled ?? false])).toEqual([
      ['sqlite', false],
      ['postgres', true],
      ['redis', true],
      ['memory', false],
    ]);
    expect(asked[0]!.options!.find((o) => o.value === 'postgres')!.hint).toBe('not available yet');
  });

  it('skips a question with a single possible answer', async () => {
    // login has one option today: it is never asked, and local is chosen
    const { choices, asked } = await ask({ dir: 'x', framework: 'express', storage: 'sqlite', scopes: ['a'] }, [
      true,
      true,
    ]);
    expect(asked.map((prompt) => prompt.message)).toEqual([
      'Install dependencies with npm?',
      'Initialize a git repository?',
    ]);
    expect(choices.login).toBe('local');
  });

  it('validates the directory name and defaults an empty answer', async () => {
    const { asked, choices } = await ask(
      { framework: 'express', storage: 'sqlite', scopes: ['a'], install: true, git: true },
      [''],
    );
    const validate = asked[0]!.validate!;
    expect(validate('Bad Name')).toMatch('"Bad Name" is not a valid package name');
    expect(validate('nested/good-name')).toBeUndefined();
    expect(validate('')).toBeUndefined();
    expect(choices.dir).toBe('mcp-oauth-server');
  });

  it('offers the default scopes and validates what is typed', async () => {
    const { asked } = await ask({ dir: 'x', framework: 'express', storage: 'sqlite', install: true, git: true }, [
      'read',
    ]);
    const scopesPrompt = asked[0]!;
    expect(scopesPrompt.initialValue).toBe('mcp:read,mcp:write');
    expect(scopesPrompt.validate!('UPPER')).toMatch('invalid scope "UPPER"');
    expect(scopesPrompt.validate!('')).toMatch('at least one scope');
    expect(scopesPrompt.validate!('a,b')).toBeUndefined();
  });

  it('asks before replacing a non-empty directory', async () => {
    const cwd = await makeTempDir();
    await mkdir(path.join(cwd, 'taken'));
    await writeFile(path.join(cwd, 'taken', 'file'), '');
    const known = {
      dir: 'taken',
      framework: 'express',
      storage: 'sqlite',
      scopes: ['a'],
      install: true,
      git: true,
    } as const;

    const accepted = await ask({ ...known, scopes: ['a'] }, [true], cwd);
    expect(accepted.asked[0]!.message).toMatch('Directory taken is not empty. Remove its files and continue?');
    expect(accepted.asked[0]!.initialValue).toBe(false);
    expect(accepted.choices.overwrite).toBe(true);

    await expect(ask({ ...known, scopes: ['a'] }, [false], cwd)).rejects.toThrow(CancelledError);
  });

  it.each(fullScript('my-app').map((_, index) => index))(
    'turns a cancel at prompt #%i into CancelledError',
    async (index) => {
      const script = fullScript('my-app').slice(0, index);
      const attempt = ask({}, [...script, cancel]);
      await expect(attempt).rejects.toThrow(CancelledError);
      await expect(attempt).rejects.toMatchObject({ exitCode: EXIT_CANCELLED });
    },
  );
});

describe('runCreate on a terminal', () => {
  async function createInteractively(script: Answer[], cwd: string) {
    const fake = createFakePrompts(script);
    const ui = createRecordingUi();
    const run = runCreate(
      {},
      {
        cwd,
        env: {},
        stdout: process.stdout,
        stderr: process.stderr,
        stdinIsTTY: true,
        stdoutIsTTY: true,
        promptApi: fake.api,
        templatesDir: FIXTURE_TEMPLATES,
        ui,
      },
    );
    return { run, ui, fake };
  }

  it('writes the project the answers describe', async () => {
    const cwd = await makeTempDir();
    const { run, ui } = await createInteractively(fullScript('from-prompts'), cwd);
    await expect(run).resolves.toBe(0);
    const manifest = JSON.parse(await readFile(path.join(cwd, 'from-prompts', '.mcp-oauth-server.json'), 'utf8'));
    expect(manifest.answers).toEqual({
      projectName: 'from-prompts',
      framework: 'express',
      storage: 'memory',
      scopes: ['notes:read', 'notes:write'],
      login: 'local',
    });
    expect(ui.text()).toContain('intro: create-mcp-oauth-server');
    expect(ui.text()).toContain('note Next steps: cd from-prompts\nnpm install');
  });

  it('leaves nothing behind when cancelled at the last prompt', async () => {
    const cwd = await makeTempDir();
    const script = fullScript('cancelled-app');
    const { run } = await createInteractively([...script.slice(0, -1), cancel], cwd);
    await expect(run).rejects.toThrow('Cancelled: nothing was written.');
    expect(existsSync(path.join(cwd, 'cancelled-app'))).toBe(false);
  });

  it('does not prompt with --yes even on a terminal', async () => {
    const cwd = await makeTempDir();
    const fake = createFakePrompts([]);
    const code = await runCreate(
      { dir: 'quiet', yes: true, install: false, git: false },
      {
        cwd,
        env: {},
        stdout: process.stdout,
        stderr: process.stderr,
        stdinIsTTY: true,
        stdoutIsTTY: true,
        promptApi: fake.api,
        templatesDir: FIXTURE_TEMPLATES,
        ui: createRecordingUi(),
      },
    );
    expect(code).toBe(0);
    expect(fake.asked).toEqual([]);
  });
});
