import { OptionError, parseScopes, type Answers, type Framework, type Login, type Storage } from '../options.js';
import { checkAnswers } from './manifest-reader.js';

/** The recorded answers `--set key=value` may change; the project name stays the package's name. */
export const SETTABLE_ANSWERS = ['framework', 'storage', 'scopes', 'login'] as const;
type SettableAnswer = (typeof SETTABLE_ANSWERS)[number];

function isSettable(key: string): key is SettableAnswer {
  return (SETTABLE_ANSWERS as readonly string[]).includes(key);
}

/**
 * Applies `--set` overrides to the recorded answers, then validates the result with create's rules
 * (known values, an available framework+storage combination, valid scope names).
 */
export function applyOverrides(recorded: Answers, settings: readonly string[]): Answers {
  const answers: Answers = { ...recorded, scopes: [...recorded.scopes] };
  for (const setting of settings) {
    const separator = setting.indexOf('=');
    const key = setting.slice(0, Math.max(separator, 0)).trim();
    const value = setting.slice(separator + 1).trim();
    if (separator < 0 || !isSettable(key)) {
      throw new OptionError(`--set needs key=value with a key of ${SETTABLE_ANSWERS.join(', ')} (got "${setting}")`);
    }
    if (value === '') throw new OptionError(`--set ${key}= needs a value`);
    if (key === 'scopes') {
      try {
        answers.scopes = parseScopes(value);
      } catch (error) {
        throw new OptionError(`--set scopes: ${(error as Error).message.replace(/^--scopes /, '')}`);
      }
    } else if (key === 'framework') answers.framework = value as Framework;
    else if (key === 'storage') answers.storage = value as Storage;
    else answers.login = value as Login;
  }
  return checkAnswers(answers);
}

/** The answers that differ, as `key: old -> new`, for the plan's header. */
export function describeAnswerChanges(from: Answers, to: Answers): string[] {
  return SETTABLE_ANSWERS.filter((key) => String(from[key]) !== String(to[key])).map((key) => {
    const show = (answers: Answers) => (key === 'scopes' ? answers.scopes.join(',') : answers[key]);
    return `${key}: ${show(from)} -> ${show(to)}`;
  });
}
