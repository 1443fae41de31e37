import { describe, expect, it } from "vitest";
import { INITIAL_POLLERS, MAX_INVOCATION_PAYLOAD_BYTES } from "../aws/rules.ts";
import { arrivalsPerSecond } from "./arrivals.ts";
import { simulate } from "./simulation.ts";
import { planModelOf } from "./planModel.ts";
import { singleConsumer, testOptions, testService } from "./testService.ts";

// Expected values from AWS's documented rules, which the simulation takes from dev/aws/rules.ts:
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html (five batches at first,
// +300 a minute, maximumConcurrency), https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
// (a throttled batch returns after its visibility timeout) and the redrive policy of
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html.

/** Standard mode's ramp to a cap N: 5 batches, +5 each second; the seconds it loses against N from the start. */
function standardRamp(cap: number, durationMs: number): { rampMs: number; rampBatches: number } {
  let rampMs = 0;
  let rampBatches = 0;
  for (let pollers = INITIAL_POLLERS; pollers < cap; pollers += 5) {
    rampMs += (1 - pollers / cap) * 1_000;
    rampBatches += pollers * (1_000 / durationMs);
  }
  return { rampMs, rampBatches };
}

describe("a standing backlog under a cap N with a fixed handler time", () => {
  it("drains in backlog / (N × batch) × duration when N is the five initial batches", () => {
    const backlog = 10_000;
    const run = simulate(singleConsumer({ scaling: { maximumConcurrency: 5 } }), { arrivalsPerSecond: [], backlog });
    expect(run.lastStoredAtMs).toBe((backlog / (5 * 10)) * 200);
    expect(run.functions[0]!.peakConcurrency).toBe(5);
    expect(run.stored).toBe(backlog);
  });

  it("adds the documented ramp when N is above five: +300 batches a minute, as +5 each second", () => {
    const cap = 20;
    const { rampMs, rampBatches } = standardRamp(cap, 200);
    // A backlog the cap finishes in whole rounds once the ramp is over: 150 batches in the ramp, then 40 rounds of 20.
    const backlog = (rampBatches + 40 * cap) * 10;
    const run = simulate(singleConsumer({ scaling: { maximumConcurrency: cap } }), { arrivalsPerSecond: [], backlog });
    expect(rampMs).toBe(1_500);
    expect(run.lastStoredAtMs).toBe((backlog / (cap * 10)) * 200 + rampMs);
    expect(run.functions[0]!.peakConcurrency).toBe(cap);
  });

  it("takes a minute of backlog to reach 305 concurrent batches without a cap, and never passes 1,250", () => {
    const run = simulate(singleConsumer({ scaling: {}, batchDurationMs: () => 5_000 }), { arrivalsPerSecond: [], backlog: 400_000 });
    const at = (second: number) => run.timeline.find((point) => point.t === second)!;
    expect(at(60).pollers).toBe(305);
    expect(Math.max(...run.timeline.map((point) => point.pollers))).toBe(1_250);
  });
});

describe("provisioned mode", () => {
  it("runs ten batches per event poller from the minimum pollers' worth, never past the maximum's", () => {
    // MinimumPollers 2, MaximumPollers 3: 20 batches at once from the start, 30 at most.
    const run = simulate(singleConsumer({ scaling: { provisionedPollers: { minimum: 2, maximum: 3 } } }), { arrivalsPerSecond: [], backlog: 30_000 });
    expect(run.timeline[0]!.pollers).toBeGreaterThanOrEqual(20);
    expect(run.functions[0]).toMatchObject({ peakConcurrency: 30, peakEventPollers: 3 });
    expect(run.stored).toBe(30_000);
    // The first second at 20 (5 rounds of 200 ms: 100 batches), then 30 a round for the other 2,900.
    expect(run.lastStoredAtMs).toBe(1_000 + Math.ceil(2_900 / 30) * 200);
  });
});

describe("reserved concurrency below the mapping's pollers", () => {
  // The scenario of integration/eventSourceFidelity.test.ts, which the kit runs against fauxqs:
  // reserved concurrency 2, five pollers, batches of one, 1 s handlers, visibility timeout 3 s.
  const throttleProne = (maxReceiveCount: number, maximumConcurrency?: number) =>
    singleConsumer(
      { batchSize: 1, scaling: maximumConcurrency === undefined ? {} : { maximumConcurrency, reservedConcurrency: 2 }, reservedConcurrency: 2, timeoutMs: 2_000, batchDurationMs: () => 1_000 },
      { visibilityTimeoutMs: 3_000, maxReceiveCount },
    );

  it("sends healthy messages to the DLQ, throttled, when maxReceiveCount is 1", () => {
    const run = simulate(throttleProne(1), { arrivalsPerSecond: [], backlog: 12 });
    expect(run.queue.deadLettered).toBeGreaterThan(0);
    expect(run.queue.deadLetterReasons).toEqual({ throttled: run.queue.deadLettered });
    expect(run.stored + run.queue.deadLettered).toBe(12);
    expect(run.functions[0]!.peakConcurrency).toBe(2);
  });

  it("sends none there when maxReceiveCount is 5, AWS's advised least", () => {
    const run = simulate(throttleProne(5), { arrivalsPerSecond: [], backlog: 12 });
    expect(run.queue.deadLettered).toBe(0);
    expect(run.stored).toBe(12);
    expect(run.functions[0]!.throttles).toBeGreaterThan(0);
  });

  it("throttles nothing when maximumConcurrency caps the pollers at the reserved concurrency", () => {
    const run = simulate(throttleProne(1, 2), { arrivalsPerSecond: [], backlog: 12 });
    expect(run.queue.deadLettered).toBe(0);
    expect(run.functions[0]!.throttles).toBe(0);
    expect(run.lastStoredAtMs).toBe(6_000);
  });
});

describe("batching, partial batch responses and timeouts", () => {
  // The kit's integration/eventSourceFidelity.test.ts case: batchSize 10, a 2 s window.
  it("hands over a batch when the batching window ends, or when it is full", () => {
    const model = singleConsumer({ batchSize: 10, maximumBatchingWindowMs: 2_000, batchDurationMs: () => 50 });
    const few = simulate(model, { arrivalsPerSecond: [], backlog: 3 });
    expect(few.functions[0]!.invocations).toBe(1);
    expect(few.lastStoredAtMs).toBe(2_000 + 50);
    // 25 waiting: two full batches at once, the last five when the window ends.
    const many = simulate(model, { arrivalsPerSecond: [], backlog: 25 });
    expect(many.functions[0]!.invocations).toBe(3);
    expect(many.lastStoredAtMs).toBe(2_000 + 50);
    expect(many.timeline[0]!.stored).toBe(20);
  });

  it("cuts a batch at Lambda's 6 MB invocation payload", () => {
    // 1 MiB messages (SQS's largest): six fit the payload, so batches of 10 are cut to 6.
    const model = planModelOf(testService().planned, testOptions({ messageBytes: 1_048_576 }), "big messages");
    expect(model.mappings[0]!.maxRecordsPerInvocation).toBe(Math.floor(MAX_INVOCATION_PAYLOAD_BYTES / 1_048_576));
    const run = simulate(model, { arrivalsPerSecond: [], backlog: 60 });
    expect(run.functions[0]!.invocations).toBe(10);
  });

  it("retries only the records a partial batch response names, and every record of a batch without ReportBatchItemFailures", () => {
    const failing = (reportBatchItemFailures: boolean) =>
      simulate(singleConsumer({ recordFailureShare: 0.05, reportBatchItemFailures }, { visibilityTimeoutMs: 1_000, maxReceiveCount: 10 }), { arrivalsPerSecond: [], backlog: 2_000 });
    const partial = failing(true);
    const whole = failing(false);
    expect(partial.stored).toBe(2_000);
    expect(whole.stored + whole.queue.deadLettered).toBe(2_000);
    // 5% of records failing: a tenth more invocations when only they return, far more when their batches do.
    expect(partial.functions[0]!.invocations).toBeLessThan(whole.functions[0]!.invocations);
  });

  it("ends a handler at the function timeout and moves its messages to the DLQ after maxReceiveCount, timed out", () => {
    const run = simulate(singleConsumer({ timeoutMs: 1_000, batchDurationMs: () => 1_500 }, { visibilityTimeoutMs: 2_000, maxReceiveCount: 2 }), { arrivalsPerSecond: [], backlog: 10 });
    expect(run.stored).toBe(0);
    expect(run.queue.deadLetterReasons).toEqual({ "timed out": 10 });
    expect(run.functions[0]!.invocations).toBe(2);
  });
});

describe("the database connection cap", () => {
  it("refuses the execution environments past it: their batches fail and, received again and again, reach the DLQ with that reason", () => {
    const model = singleConsumer({ scaling: { maximumConcurrency: 20 } }, { visibilityTimeoutMs: 5_000 });
    model.lambda.databaseMaxConnections = 10;
    const run = simulate(model, { arrivalsPerSecond: [], backlog: 20_000 });
    expect(run.peakConnections).toBe(10);
    expect(run.refusedConnections).toBeGreaterThan(0);
    expect(run.queue.deadLetterReasons).toEqual({ "database connections": run.queue.deadLettered });
    expect(run.stored + run.queue.deadLettered).toBe(20_000);
  });

  it("sees no refusal when the cap holds every environment the mapping can run", () => {
    const model = singleConsumer({ scaling: { maximumConcurrency: 10 } });
    model.lambda.databaseMaxConnections = 10;
    const run = simulate(model, { arrivalsPerSecond: [], backlog: 20_000 });
    expect(run.refusedConnections).toBe(0);
    expect(run.stored).toBe(20_000);
  });
});

describe("SQS's in-flight limit", () => {
  it("hands out nothing past it: pollers get empty receives while the limit is reached", () => {
    const run = simulate(singleConsumer({ scaling: { maximumConcurrency: 20 }, batchDurationMs: () => 1_000 }, { maxInFlight: 50 }), { arrivalsPerSecond: [], backlog: 1_000 });
    expect(run.queue.peakInFlight).toBeLessThanOrEqual(50);
    expect(run.functions[0]!.peakConcurrency).toBe(5);
    expect(run.stored).toBe(1_000);
  });
});

describe("another queue's stream beside the punches", () => {
  it("shares Lambda's account concurrency with the punches' consumer, and is not counted as rows", () => {
    const model = singleConsumer({ scaling: { maximumConcurrency: 5 } });
    model.queues.push({ logicalId: "Claims", name: "claims", visibilityTimeoutMs: 60_000, hasDeadLetterQueue: false });
    model.mappings.push({ ...model.mappings[0]!, queueLogicalId: "Claims", functionName: "settle", batchSize: 1, scaling: { maximumConcurrency: 2 }, batchDurationMs: () => 5_000 });
    // 6 in the account: the claims' two invocations leave the punches four of their five.
    model.lambda.accountConcurrency = 6;
    const run = simulate(model, { arrivalsPerSecond: [], backlog: 5_000, streams: [{ queueLogicalId: "Claims", arrivalsPerSecond: [4] }] });
    const [consume, settle] = run.functions;
    expect(run.stored).toBe(5_000);
    expect(settle).toMatchObject({ name: "settle", handled: 4, peakConcurrency: 2 });
    expect(consume!.throttles).toBeGreaterThan(0);
    expect(consume!.peakConcurrency + settle!.peakConcurrency).toBeLessThanOrEqual(7);
  });
});

describe("speed", () => {
  it("plans a million punches over ten minutes in seconds", () => {
    const startedAt = performance.now();
    const run = simulate(singleConsumer({ scaling: {}, batchDurationMs: () => 40 }), { arrivalsPerSecond: arrivalsPerSecond(1_000_000, 600, "flat") });
    expect(run.stored).toBe(1_000_000);
    expect(performance.now() - startedAt).toBeLessThan(15_000);
  });
});
