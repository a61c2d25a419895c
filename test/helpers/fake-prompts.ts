import type { PromptApi, SelectOption } from '../../src/prompts.js';

/** Answering a prompt with this is pressing Ctrl-C / Escape. */
export const cancel: unique symbol = Symbol('clack:cancel');

export type Answer = string | boolean | typeof cancel;

export interface AskedPrompt {
  kind: 'text' | 'select' | 'confirm';
  message: string;
  options?: SelectOption<string>[];
  initialValue?: unknown;
  validate?: (value: string | undefined) => string | undefined;
}

/**
 * A PromptApi that answers from a script, in order, and records every question. Text answers go through
 * the prompt's own validate function first, as clack would; a rejected answer fails the test.
 */
export function createFakePrompts(script: Answer[]) {
  const answers = [...script];
  const asked: AskedPrompt[] = [];
  const next = (prompt: AskedPrompt): Answer => {
    asked.push(prompt);
    if (answers.length === 0) throw new Error(`unexpected prompt: ${prompt.message}`);
    return answers.shift()!;
  };
  const api: PromptApi = {
    async text(options) {
      const answer = next({ kind: 'text', ...options });
      if (typeof answer === 'string') {
        const problem = options.validate?.(answer);
        if (problem) throw new Error(`the prompt rejected "${answer}": ${problem}`);
      }
      return answer as string | symbol;
    },
    async select(options) {
      const answer = next({
        kind: 'select',
        message: options.message,
        options: options.options,
        initialValue: options.initialValue,
      });
      if (typeof answer === 'string' && options.options.find((o) => o.value === answer)?.disabled) {
        throw new Error(`"${answer}" is disabled in: ${options.message}`);
      }
      return answer as never;
    },
    async confirm(options) {
      return next({ kind: 'confirm', ...options }) as boolean | symbol;
    },
    isCancel: (value): value is symbol => value === cancel,
  };
  return { api, asked, remaining: answers };
}
