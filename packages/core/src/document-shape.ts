import { refuse } from './errors.js';
import { ok, type Result } from './result.js';

/** The kinds of field a signed document may hold. */
type FieldKind = 'string' | 'string|null' | 'integer' | 'integer|null';

type FieldValue<K extends FieldKind> = K extends 'string'
  ? string
  : K extends 'string|null'
    ? string | null
    : K extends 'integer'
      ? number
      : number | null;

export type DocumentShape = Readonly<Record<string, FieldKind>>;
export type DocumentOf<S extends DocumentShape> = { readonly [K in keyof S]: FieldValue<S[K]> };

function matches(kind: FieldKind, value: unknown): boolean {
  if (value === null) return kind.endsWith('|null');
  return kind.startsWith('string') ? typeof value === 'string' : Number.isSafeInteger(value);
}

/**
 * Checks that a verified payload has exactly the fields of its document type. A signature proves
 * who wrote a document, not that the writer's version agrees with ours.
 */
export function readDocument<S extends DocumentShape>(
  value: unknown,
  shape: S,
  what: string,
): Result<DocumentOf<S>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse('VALIDATION_FAILED', `The ${what} is not a JSON object.`);
  }
  const record = value as Record<string, unknown>;
  for (const [field, kind] of Object.entries(shape)) {
    if (!matches(kind, record[field])) {
      return refuse('VALIDATION_FAILED', `The ${what} has no valid "${field}" (expected ${kind}).`);
    }
  }
  const picked: Record<string, unknown> = {};
  for (const field of Object.keys(shape)) picked[field] = record[field];
  return ok(picked as DocumentOf<S>);
}
