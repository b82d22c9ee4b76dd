import { type Compilable, CompiledQuery, type Kysely } from 'kysely';

/** A database or a transaction of it: what runs a compiled query. */
export type QueryExecutor = Pick<Kysely<never>, 'executeQuery'>;

/** Stands in for a parameter while the query is compiled; never a value a caller could pass. */
const placeholder = (index: number) => `\u0000keyward-parameter-${index}\u0000`;

/**
 * A Kysely query built and compiled once, then run with new parameter values: building a query
 * costs more than running a point query on SQLite, and the machine API runs the same few
 * queries for every check. `build` receives placeholders and must use each as a plain value;
 * the query then runs on `db` or on a transaction of it.
 */
export function preparedQuery<Params extends readonly unknown[], Row>(
  arity: Params['length'],
  build: (...placeholders: string[]) => Compilable<Row>,
): (executor: QueryExecutor, ...params: Params) => Promise<Row[]> {
  const names = Array.from({ length: arity }, (_, index) => placeholder(index));
  const compiled = build(...names).compile();
  const slots = compiled.parameters.map((value) => {
    const index = typeof value === 'string' ? names.indexOf(value) : -1;
    return { index, value };
  });
  for (let index = 0; index < arity; index++) {
    if (!slots.some((slot) => slot.index === index))
      throw new Error(`Prepared query does not use parameter ${index}`);
  }
  return async (executor, ...params) => {
    const values = slots.map((slot) => (slot.index === -1 ? slot.value : params[slot.index]));
    const result = await executor.executeQuery<Row>(CompiledQuery.raw(compiled.sql, values));
    return result.rows;
  };
}
