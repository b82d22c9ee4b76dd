import type { ReceivedError, Result } from '@keyward/core/license-container';

/** Raised by a command to end with a refusal; `bin.ts` prints it and exits non-zero. */
export class CommandFailure extends Error {
  constructor(readonly error: ReceivedError) {
    super(error.message);
  }
}

/** The value of a result, or the end of the command with its refusal. */
export function unwrap<T>(result: Result<T, ReceivedError>): T {
  if (!result.ok) throw new CommandFailure(result.error);
  return result.value;
}

export function fail(error: ReceivedError): never {
  throw new CommandFailure(error);
}

/** Control characters other than line breaks and tabs: what a terminal would act on rather than show. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what it is for.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text as a terminal may print it: what came from the server or a file (notes, names, fingerprints
 * a customer's computer sent) could hold escape sequences that clear the screen or retitle the
 * window; each control character is shown as its code instead.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface Output {
  readonly json: boolean;
  /** One JSON document with --json, else the human text. */
  result(value: unknown, human: () => string): void;
}

export function output(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${printable(human())}\n`);
    },
  };
}

export function printFailure(error: ReceivedError, json: boolean): void {
  process.stderr.write(
    json
      ? `${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`
      : `keyward: ${printable(error.message)} (${error.code})\n`,
  );
}

/** Aligned "label  value" lines, as the key status utility prints them. */
export function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
