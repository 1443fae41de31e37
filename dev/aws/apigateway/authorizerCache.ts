/** Enough for every caller of a busy service; past it the oldest result is dropped. */
const MAX_CACHED_RESULTS = 10_000;

/**
 * An authorizer's results kept for its TTL (`AuthorizerResultTtlInSeconds`, 0 for none), under
 * the key API Gateway keys them by: a TOKEN authorizer's token, the values of all identity
 * sources of a REQUEST authorizer. What is kept is the function's answer, not the verdict: the
 * caller evaluates the kept policy against each call's own method ARN, so a policy returned for
 * one method that does not cover another denies the other (403), as on AWS.
 *
 * @example
 * const cache = new AuthorizerResultCache<string>(300);
 * cache.set("token-1", "answer");
 * cache.get("token-1"); // "answer", for five minutes
 */
export class AuthorizerResultCache<Result> {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #kept = new Map<string, { result: Result; until: number }>();

  constructor(ttlSeconds: number, { now = Date.now }: { now?: () => number } = {}) {
    this.#ttlMs = ttlSeconds * 1000;
    this.#now = now;
  }

  get(key: string): Result | undefined {
    const kept = this.#kept.get(key);
    if (!kept) return undefined;
    if (kept.until > this.#now()) return kept.result;
    this.#kept.delete(key);
    return undefined;
  }

  set(key: string, result: Result): void {
    if (this.#ttlMs <= 0) return;
    this.#kept.delete(key);
    if (this.#kept.size >= MAX_CACHED_RESULTS) this.#kept.delete(this.#kept.keys().next().value!);
    this.#kept.set(key, { result, until: this.#now() + this.#ttlMs });
  }

  get size(): number {
    return this.#kept.size;
  }
}
