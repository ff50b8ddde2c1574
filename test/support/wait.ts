export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 10 ms; answers how long it took, or fails after `timeoutMs` naming `what`. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, what = 'the condition was met'): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(10);
  }
  return Date.now() - start;
}
