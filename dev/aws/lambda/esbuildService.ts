import { stop } from "esbuild";

/** Long enough for the cold starts of one burst, or one save's reload, to share a service. */
const IDLE_MS = 2_000;
let inFlight = 0;
let idleTimer: NodeJS.Timeout | undefined;

/**
 * Runs esbuild work (an import graph, a transform) and ends esbuild's service process once no
 * work has run for a moment; the next call starts it again. esbuild keeps that process for the
 * life of the parent otherwise, about 17–20 MiB (PSS) for what the stack uses at cold starts and
 * reloads only: a tenth of its memory budget during a burst.
 *
 * @example
 * const { code } = await withEsbuild(() => transform(source, { loader: "ts" }));
 */
export async function withEsbuild<T>(work: () => Promise<T>): Promise<T> {
  inFlight += 1;
  clearTimeout(idleTimer);
  try {
    return await work();
  } finally {
    inFlight -= 1;
    if (inFlight === 0) {
      idleTimer = setTimeout(() => {
        if (inFlight === 0) void stop();
      }, IDLE_MS).unref();
    }
  }
}
