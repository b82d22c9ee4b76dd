import { refuse } from './errors.js';
import { CHECKS, type SchemaName, SHAPES } from './generated/checks.js';
import { ok, type Result } from './result.js';

export type { SchemaName } from './generated/checks.js';

export interface DocumentReader<T> {
  /** Checks a value against its schema; the refusal names what is missing or unexpected. */
  read(value: unknown): Result<T>;
}

/**
 * A reader for one of the core schemas (`src/schemas`), with the validator made ahead of time.
 * Reading is the whole check: a document that passes has exactly the schema's fields and forms.
 */
export function documentReader<T>(schema: SchemaName, what: string): DocumentReader<T> {
  const check = CHECKS[schema];
  return {
    read(value) {
      if (check(value)) return ok(value as T);
      return refuse(
        'VALIDATION_FAILED',
        `The ${what} is not in the expected form${diagnosis(schema, value)}.`,
      );
    },
  };
}

/** Which top-level fields are missing or unexpected; otherwise a field of the wrong form. */
function diagnosis(schema: SchemaName, value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ': not a JSON object';
  const { properties, required } = SHAPES[schema];
  if (properties.length === 0) return '';
  const given = Object.keys(value);
  const missing = required.filter((field) => !given.includes(field));
  const unexpected = given.filter((field) => !properties.includes(field));
  if (missing.length > 0) return `: missing ${missing.join(', ')}`;
  if (unexpected.length > 0) return `: unexpected ${unexpected.join(', ')}`;
  return ': a field has the wrong form or is out of range';
}
