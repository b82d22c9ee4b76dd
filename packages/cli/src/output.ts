import type { KeywardError, Result } from '@keyward/core/license-container';

/** Raised by a command to end with a refusal; `bin.ts` prints it and exits non-zero. */
export class CommandFailure extends Error {
  constructor(readonly error: KeywardError) {
    super(error.message);
  }
}

/** The value of a result, or the end of the command with its refusal. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new CommandFailure(result.error);
  return result.value;
}

export function fail(error: KeywardError): never {
  throw new CommandFailure(error);
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
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
  };
}

export function printFailure(error: KeywardError, json: boolean): void {
  process.stderr.write(
    json
      ? `${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`
      : `keyward: ${error.message} (${error.code})\n`,
  );
}

/** Aligned "label  value" lines, as the key status utility prints them. */
export function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
