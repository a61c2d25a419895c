import { styleText } from 'node:util';
import * as clack from '@clack/prompts';

type Style = Parameters<typeof styleText>[0];

/** Colours only when the stream is a terminal and NO_COLOR is not set (styleText checks both). */
export function paint(stream: NodeJS.WritableStream, style: Style, text: string): string {
  return styleText(style, text, { stream });
}

/** A long step (install, tests): a spinner on a terminal, a start and an end line elsewhere. */
export interface Task {
  succeed(message: string): void;
  /** Done, but not everything happened (e.g. tests that need a server were left out). */
  warn(message: string): void;
  fail(message: string): void;
}

/** Everything the CLI says to a human. Results meant for programs (--json) never go through here. */
export interface Ui {
  intro(title: string): void;
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** A block of text, e.g. the next steps or the tail of a failed command's output. */
  note(body: string, title?: string): void;
  outro(message: string): void;
  startTask(label: string): Task;
}

/** Interactive terminal: @clack/prompts' frame, symbols and spinners, on stdout. */
export function createClackUi(): Ui {
  return {
    intro: (title) => clack.intro(title),
    info: (message) => clack.log.info(message),
    success: (message) => clack.log.success(message),
    warn: (message) => clack.log.warn(message),
    error: (message) => clack.log.error(message),
    note: (body, title) => clack.note(body, title),
    outro: (message) => clack.outro(message),
    startTask(label) {
      const spinner = clack.spinner({ indicator: 'timer' });
      spinner.start(label);
      return {
        succeed: (message) => spinner.stop(message),
        warn: (message) => {
          spinner.clear();
          clack.log.warn(message);
        },
        fail: (message) => spinner.error(message),
      };
    },
  };
}

/**
 * No terminal, or --json: plain lines, no cursor tricks. Progress goes to `progress` (stderr), the rest to
 * `out` (stdout, or stderr as well in --json mode so that stdout carries nothing but the JSON document).
 */
export function createPlainUi(out: NodeJS.WritableStream, progress: NodeJS.WritableStream): Ui {
  const line = (stream: NodeJS.WritableStream, text: string) => stream.write(`${text}\n`);
  return {
    intro: (title) => line(out, paint(out, 'bold', title)),
    info: (message) => line(out, message),
    success: (message) => line(out, `${paint(out, 'green', '✔')} ${message}`),
    warn: (message) => line(out, `${paint(out, 'yellow', '!')} ${message}`),
    error: (message) => line(progress, `${paint(progress, 'red', '✖')} ${message}`),
    note: (body, title) => {
      if (title) line(out, `\n${paint(out, 'bold', title)}`);
      line(out, body.replace(/^(?=.)/gm, '  '));
    },
    outro: (message) => line(out, `\n${message}`),
    startTask(label) {
      line(progress, `… ${label}`);
      return {
        succeed: (message) => line(progress, `${paint(progress, 'green', '✔')} ${message}`),
        warn: (message) => line(progress, `${paint(progress, 'yellow', '!')} ${message}`),
        fail: (message) => line(progress, `${paint(progress, 'red', '✖')} ${message}`),
      };
    },
  };
}
