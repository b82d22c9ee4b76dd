/** Calls `fn` (sync or async) for `seconds` and returns how many times per second it ran. */
export async function perSecond(fn, seconds) {
  const start = performance.now();
  const end = start + seconds * 1000;
  let count = 0;
  while (performance.now() < end) {
    await fn(count);
    count++;
  }
  return Math.round(count / ((performance.now() - start) / 1000));
}
