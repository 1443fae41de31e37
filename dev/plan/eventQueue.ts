/**
 * The virtual clock: events in time order, earliest first, and in the order they were scheduled
 * when two fall at the same millisecond, so a run is deterministic. A binary heap, so a million
 * punches' worth of events take seconds, not minutes.
 */
interface ScheduledEvent {
  at: number;
  order: number;
  run: () => void;
}

export class EventQueue {
  readonly #heap: ScheduledEvent[] = [];
  #scheduled = 0;
  #now = 0;

  /** Virtual milliseconds since the plan's start. */
  get now(): number {
    return this.#now;
  }

  get size(): number {
    return this.#heap.length;
  }

  at(time: number, run: () => void): void {
    const event = { at: Math.max(time, this.#now), order: this.#scheduled++, run };
    const heap = this.#heap;
    heap.push(event);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!earlier(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  /** Runs the next event and returns true, or returns false when none is left. */
  runNext(): boolean {
    const heap = this.#heap;
    const next = heap[0];
    if (!next) return false;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && earlier(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && earlier(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
        index = smallest;
      }
    }
    this.#now = next.at;
    next.run();
    return true;
  }
}

function earlier(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}
