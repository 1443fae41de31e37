/**
 * Polls until `probe` returns a value `accept` likes, or fails after `timeoutMs` with the last
 * value seen. Asynchronous outcomes are awaited this way, never with fixed sleeps.
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  { timeoutMs = 15_000, intervalMs = 100, what = "the condition" }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}` +
      (lastError ? `; last error: ${(lastError as Error).message}` : ""),
  );
}

/**
 * Polls `probe` for `forMs` and fails at the first value `accept` rejects: the bounded wait that
 * proves something does not happen, where `eventually` proves that something does.
 */
export async function throughout<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  { forMs, intervalMs = 100, what }: { forMs: number; intervalMs?: number; what: string },
): Promise<void> {
  const deadline = Date.now() + forMs;
  do {
    const value = await probe();
    if (!accept(value)) throw new Error(`expected ${what} for ${forMs} ms, but saw ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  } while (Date.now() < deadline);
}
