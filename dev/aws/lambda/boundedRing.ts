/**
 * The last `capacity` items pushed, oldest first: what the console keeps of recent requests,
 * invocations and log lines, so a long `npm run dev` holds a fixed amount of memory.
 *
 * @example
 * const recent = new BoundedRing<number>(3);
 * for (const n of [1, 2, 3, 4]) recent.push(n);
 * recent.values(); // [2, 3, 4]
 */
export class BoundedRing<T> {
  readonly #items: T[] = [];
  #next = 0;

  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  push(item: T): void {
    if (this.#items.length < this.capacity) this.#items.push(item);
    else this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** Oldest first. */
  values(): T[] {
    return this.#items.length < this.capacity ? [...this.#items] : [...this.#items.slice(this.#next), ...this.#items.slice(0, this.#next)];
  }

  get size(): number {
    return this.#items.length;
  }
}

/** The value below which `fraction` of the sorted values fall (nearest rank); null when empty. */
export function nearestRank(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}
