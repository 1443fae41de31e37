/** What a run counts as it goes: rows, latencies, and the requests each service bills. */
export interface FunctionUsage {
  invocations: number;
  /** Billed duration: Lambda rounds each invocation up to the millisecond. */
  billedMs: number;
  memoryMegabytes: number;
}

export interface SqsRequests {
  send: number;
  receive: number;
  /** Receives that came back with nothing: a long poll of an idle queue. */
  emptyReceive: number;
  delete: number;
}

const LATENCY_BUCKET_MS = 10;

export class PlanMetrics {
  stored = 0;
  /** Deliveries of a message already stored: the row absorbs them (its id is the key). */
  redeliveriesAbsorbed = 0;
  lastStoredAt: number | undefined;
  /** Throttled invocation attempts and failed invocations since the last sample: the Lambda metrics alarms watch. */
  throttlesThisSecond = 0;
  errorsThisSecond = 0;
  readonly sqs: SqsRequests = { send: 0, receive: 0, emptyReceive: 0, delete: 0 };
  readonly functions = new Map<string, FunctionUsage>();
  readonly #latencies = new Map<number, number>();
  #maxLatency = 0;

  recordStored(count: number, sentAt: number, now: number): void {
    this.stored += count;
    this.lastStoredAt = now;
    const latency = now - sentAt;
    const bucket = Math.floor(latency / LATENCY_BUCKET_MS);
    this.#latencies.set(bucket, (this.#latencies.get(bucket) ?? 0) + count);
    this.#maxLatency = Math.max(this.#maxLatency, latency);
  }

  invoked(functionName: string, memoryMegabytes: number, durationMs: number): void {
    const usage = this.functions.get(functionName) ?? { invocations: 0, billedMs: 0, memoryMegabytes };
    usage.invocations += 1;
    usage.billedMs += Math.ceil(durationMs);
    this.functions.set(functionName, usage);
  }

  /** Punch → row latency: p50, p95 (to the bucket of 10 ms) and the exact max. */
  latencyMs(): { p50: number; p95: number; max: number } | null {
    if (this.stored === 0) return null;
    const buckets = [...this.#latencies].sort(([a], [b]) => a - b);
    const at = (share: number) => {
      const rank = Math.ceil(share * this.stored);
      let seen = 0;
      for (const [bucket, count] of buckets) {
        seen += count;
        if (seen >= rank) return (bucket + 1) * LATENCY_BUCKET_MS;
      }
      return this.#maxLatency;
    };
    return { p50: Math.min(at(0.5), Math.ceil(this.#maxLatency)), p95: Math.min(at(0.95), Math.ceil(this.#maxLatency)), max: Math.round(this.#maxLatency) };
  }
}
