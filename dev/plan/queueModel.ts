import { MAX_IN_FLIGHT_MESSAGES, movesToDeadLetterQueue } from "../aws/rules.ts";

/** Why a message is back in the queue, or in the DLQ: what its last delivery ran into. */
export type FailureReason = "throttled" | "handler error" | "timed out" | "database connections";

/**
 * Messages that travel together: sent in the same tick, received the same number of times. The
 * queue holds slices, not messages, so a million punches are a few thousand objects.
 */
export interface Slice {
  count: number;
  /** When API Gateway accepted them: punch → row latency runs from here. */
  sentAt: number;
  receiveCount: number;
  lastFailure?: FailureReason;
  /** Delivered again while an earlier delivery still ran (a visibility timeout shorter than the handler). */
  redelivered?: boolean;
}

export interface QueueSettings {
  name: string;
  visibilityTimeoutMs: number;
  maxReceiveCount?: number;
  hasDeadLetterQueue: boolean;
  /** SQS's in-flight limit for a standard queue: about 120,000 (MAX_IN_FLIGHT_MESSAGES) unless raised. */
  maxInFlight?: number;
}

/**
 * One SQS standard queue: visible messages, in flight ones, and its DLQ. What comes back after a
 * visibility timeout is received first (it is the oldest). A receive never hands out more than
 * the in-flight limit allows, and moves what has used its receives to the DLQ, as SQS does.
 */
export class QueueModel {
  readonly settings: QueueSettings;
  visible = 0;
  inFlight = 0;
  /** The most messages visible at once, at any millisecond (the samples see one a second). */
  peakVisible = 0;
  deadLettered = 0;
  readonly deadLetterReasons = new Map<FailureReason | "never delivered", number>();
  readonly #returned: Slice[] = [];
  #fresh: Slice[] = [];
  #freshHead = 0;

  constructor(settings: QueueSettings) {
    this.settings = settings;
  }

  send(count: number, now: number): void {
    if (count <= 0) return;
    this.#fresh.push({ count, sentAt: now, receiveCount: 0 });
    this.visible += count;
    this.peakVisible = Math.max(this.peakVisible, this.visible);
  }

  /**
   * Up to `max` messages, as one ReceiveMessage hands them over; each counts a receive. A message
   * whose receives are used up moves to the DLQ on the way, as SQS moves it.
   */
  receive(max: number): { slices: Slice[]; count: number } {
    const slices: Slice[] = [];
    let count = 0;
    const room = Math.max(0, (this.settings.maxInFlight ?? MAX_IN_FLIGHT_MESSAGES) - this.inFlight);
    let wanted = Math.min(max, room);
    while (wanted > 0) {
      const slice = this.#peek();
      if (!slice) break;
      if (movesToDeadLetterQueue(slice.receiveCount, this.settings.maxReceiveCount) && this.settings.hasDeadLetterQueue) {
        this.#take(slice.count);
        this.visible -= slice.count;
        this.deadLettered += slice.count;
        const reason = slice.lastFailure ?? "never delivered";
        this.deadLetterReasons.set(reason, (this.deadLetterReasons.get(reason) ?? 0) + slice.count);
        continue;
      }
      const taken = this.#take(Math.min(wanted, slice.count));
      taken.receiveCount += 1;
      slices.push(taken);
      count += taken.count;
      wanted -= taken.count;
    }
    this.visible -= count;
    this.inFlight += count;
    return { slices, count };
  }

  /** Deleted after their invocation succeeded. */
  delete(count: number): void {
    this.inFlight -= count;
  }

  /** Visible again once their visibility timeout ends, with what their delivery ran into. */
  makeVisible(slices: readonly Slice[], reason: FailureReason | undefined): void {
    for (const slice of slices) {
      this.inFlight -= slice.count;
      this.visible += slice.count;
      this.#returned.push({ ...slice, ...(reason && { lastFailure: reason }) });
    }
  }

  /** Still visible, received again while its first delivery runs: the same messages, twice in flight. */
  redeliverCopy(slices: readonly Slice[]): void {
    for (const slice of slices) {
      this.visible += slice.count;
      this.#returned.push({ ...slice, redelivered: true });
    }
  }

  /** When the oldest visible message was sent, or undefined when none is visible. */
  oldestVisibleSentAt(): number | undefined {
    const returned = this.#returned.reduce<number | undefined>((oldest, slice) => (oldest === undefined || slice.sentAt < oldest ? slice.sentAt : oldest), undefined);
    const fresh = this.#fresh[this.#freshHead]?.sentAt;
    if (returned === undefined) return fresh;
    return fresh === undefined ? returned : Math.min(returned, fresh);
  }

  #peek(): Slice | undefined {
    return this.#returned[0] ?? this.#fresh[this.#freshHead];
  }

  /** Takes `count` messages off the front slice, splitting it when it holds more. */
  #take(count: number): Slice {
    const fromReturned = this.#returned.length > 0;
    const slice = fromReturned ? this.#returned[0]! : this.#fresh[this.#freshHead]!;
    if (count < slice.count) {
      slice.count -= count;
      return { ...slice, count };
    }
    if (fromReturned) this.#returned.shift();
    else this.#advanceFresh();
    return slice;
  }

  #advanceFresh(): void {
    this.#freshHead += 1;
    // Compacts now and then, so a long run does not keep every slice it ever held.
    if (this.#freshHead > 4_096 && this.#freshHead * 2 > this.#fresh.length) {
      this.#fresh = this.#fresh.slice(this.#freshHead);
      this.#freshHead = 0;
    }
  }
}
