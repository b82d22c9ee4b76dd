import type { KeywardError } from './errors.js';

export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<E> = { readonly ok: false; readonly error: E };
/** Expected outcomes are values: refusals come back as `Err`, never as thrown exceptions. */
export type Result<T, E = KeywardError> = Ok<T> | Err<E>;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = <E>(error: E): Err<E> => ({ ok: false, error });
