import { randomBytes } from "node:crypto";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { enqueueBodies, queueDepth, startLocalAws, type LocalAws, type QueueDepth, type StartedBackend } from "../dev/aws/index.ts";
import { fidelityServiceDir, writeFidelityService, type FidelitySettings } from "./fixtures/fidelity/fidelityService.ts";
import type { InvocationEnd, InvocationStart } from "./fixtures/fidelity/handlers.ts";
import { describeOnBackend, startIntegrationBackend } from "./support/backendFixture.ts";
import { eventually } from "./support/eventually.ts";

let backend: StartedBackend;
let sqs: SQSClient;

beforeAll(async () => {
  backend = await startIntegrationBackend();
  sqs = new SQSClient({ endpoint: backend.awsEndpoint, region: "eu-west-1", credentials: backend.credentials });
});

afterAll(async () => {
  sqs?.destroy();
  await backend?.stop();
});

/** One invocation as the consumer logged it: its start, and its end unless it was killed. */
type Invocation = InvocationStart & Partial<Omit<InvocationEnd, "invocation">>;

interface FidelityStack {
  stack: LocalAws;
  /** Every invocation the consumer logged, in the order they started. */
  invocations: Invocation[];
  /** Sends these orders and returns the time just before the send. */
  send(orders: object[]): Promise<number>;
  depth(queue: "work" | "dlq"): Promise<QueueDepth & { total: number }>;
  /** The keys of the orders in the DLQ, read without removing them. */
  deadLetterKeys(): Promise<string[]>;
  consumer(): Promise<{ invocations: number; throttles: number }>;
}

/** Runs a scenario on a stack of the fidelity service, from a serverless.yml written with these settings. */
async function withFidelityStack(settings: FidelitySettings, scenario: (fidelity: FidelityStack) => Promise<void>): Promise<void> {
  const config = await writeFidelityService(settings);
  const invocations: Invocation[] = [];
  const stack = await startLocalAws({
    backend,
    serviceDir: fidelityServiceDir,
    configFile: config.configFile,
    stage: `f${randomBytes(3).toString("hex")}`,
    apiPort: 0,
    onLog: (_fn, line) => {
      if (!line.startsWith('{"invocation"')) return;
      const logged = JSON.parse(line) as InvocationStart | InvocationEnd;
      if ("started" in logged) invocations.push(logged);
      else Object.assign(invocations.find(({ invocation }) => invocation === logged.invocation)!, logged);
    },
  }).finally(() => config.remove());
  const url = (queue: "work" | "dlq") => stack.queues.find((candidate) => candidate.name.endsWith(queue === "work" ? "-work" : "-work-dlq"))!.url;
  const fidelity: FidelityStack = {
    stack,
    invocations,
    async send(orders) {
      const sentAt = Date.now();
      await enqueueBodies(sqs, url("work"), orders.map((order) => JSON.stringify(order)));
      return sentAt;
    },
    async depth(queue) {
      const depth = await queueDepth(sqs, url(queue));
      return { ...depth, total: depth.visible + depth.inFlight };
    },
    async deadLetterKeys() {
      const keys = new Set<string>();
      for (;;) {
        // Received messages stay hidden for the rest of the scenario, so each receive brings new ones.
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: url("dlq"), MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) return [...keys];
        for (const message of Messages) keys.add((JSON.parse(message.Body!) as { key: string }).key);
      }
    },
    async consumer() {
      return (await stack.status()).functions[0]!;
    },
  };
  try {
    await scenario(fidelity);
  } finally {
    await stack.stop();
  }
}

/** `count` orders named `<label>-<n>`, each with these instructions for the consumer. */
const orders = (label: string, count: number, order: object = {}) =>
  Array.from({ length: count }, (_, index) => ({ key: `${label}-${index}`, ...order }));

const keysOf = (invocations: Invocation[]) => invocations.flatMap(({ records }) => records.map(({ key }) => key!));

/** How many times each key was handed to the consumer. */
function deliveriesPerKey(invocations: Invocation[]): Map<string, number> {
  const deliveries = new Map<string, number>();
  for (const key of keysOf(invocations)) deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
  return deliveries;
}

/** The most invocations whose [started, ended) intervals overlap at any one moment; one never ended runs on. */
function peakOverlap(invocations: Invocation[]): number {
  const edges = invocations.flatMap(({ started, ended }) => [
    { at: started, change: 1 },
    { at: ended ?? Infinity, change: -1 },
  ]);
  // An invocation that ends at the moment another starts does not overlap it.
  edges.sort((left, right) => left.at - right.at || left.change - right.change);
  let running = 0;
  let peak = 0;
  for (const { change } of edges) peak = Math.max(peak, (running += change));
  return peak;
}

/**
 * Polls `probe` for `forMs` and fails at the first value `accept` rejects: the bounded wait that
 * proves something does not happen, where `eventually` proves that something does.
 */
async function throughout<T>(
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

/**
 * The same load for the throttling and the capped scenario: more work than two concurrent
 * invocations finish within the visibility timeout, once the pollers have received all of it.
 */
const throttleProne = { reservedConcurrency: 2, maxReceiveCount: 1, visibilityTimeout: 3, timeout: 2 } satisfies FidelitySettings;
const sameLoad = (label: string) => orders(label, 12, { sleepMs: 1_000 });

/**
 * Waits until the work queue is empty and every invocation that started has ended, or has run
 * long enough past the function timeout that it was killed and never will.
 */
async function drained(fidelity: FidelityStack, timeoutSeconds: number): Promise<void> {
  const running = () => fidelity.invocations.filter(({ started, ended }) => ended === undefined && Date.now() - started < timeoutSeconds * 1_000 + 1_000);
  await eventually(
    async () => ({ queued: (await fidelity.depth("work")).total, running: running().length }),
    ({ queued, running }) => queued === 0 && running === 0,
    { what: "the queue to drain and every invocation to end", timeoutMs: 30_000 },
  );
}

/** What an invocation that did its work looks like in the consumer's log: it ended, on time, returning. */
function expectHealthy(invocations: Invocation[], timeoutSeconds: number): void {
  for (const invocation of invocations) {
    expect(invocation).toMatchObject({ outcome: "returned", failedItems: [] });
    expect(invocation.ended! - invocation.started).toBeLessThan(timeoutSeconds * 1_000);
  }
}

describeOnBackend("the SQS event source runner, against AWS's documented behaviour", () => {
  it("runs exactly maximumConcurrency batches at once under a backlog, scaling up past the five initial pollers, and follows serverless.yml when it changes", async () => {
    for (const cap of [2, 3, 8]) {
      await withFidelityStack({ maximumConcurrency: cap, batchSize: 1 }, async (fidelity) => {
        // Six rounds of work at the cap: for 8, longer than the second it takes to scale up from 5.
        const backlog = orders(`cap${cap}`, cap * 6, { sleepMs: 500 });
        await fidelity.send(backlog);
        await eventually(
          async () => fidelity.invocations.filter(({ ended }) => ended !== undefined).length,
          (count) => count === backlog.length,
          { what: `all ${backlog.length} messages handled at cap ${cap}`, timeoutMs: 30_000 },
        );
        expect([...deliveriesPerKey(fidelity.invocations).values()]).toEqual(backlog.map(() => 1));
        expect({ cap, peak: peakOverlap(fidelity.invocations) }).toEqual({ cap, peak: cap });
      });
    }
  });

  it("hands over a batch when the batching window ends, or when it is full", async () => {
    const windowMs = 2_000;
    await withFidelityStack({ batchSize: 10, maximumBatchingWindow: windowMs / 1_000 }, async (fidelity) => {
      const fewSentAt = await fidelity.send(orders("few", 3));
      const [partial] = await eventually(async () => [...fidelity.invocations], (started) => started.length >= 1, { what: "the first batch" });
      expect(keysOf([partial!]).sort()).toEqual(["few-0", "few-1", "few-2"]);
      // The window opens at the first receive, after the send: the batch cannot come sooner.
      expect(partial!.started - fewSentAt).toBeGreaterThanOrEqual(windowMs - 50);
      expect(partial!.started - fewSentAt).toBeLessThan(windowMs + 1_500);

      const manySentAt = await fidelity.send(orders("many", 25));
      const later = await eventually(
        async () => fidelity.invocations.slice(1),
        (started) => keysOf(started).length === 25,
        { what: "all 25 messages handed over" },
      );
      expect(later.map(({ records }) => records.length)).toEqual([10, 10, 5]);
      // Full batches do not wait for the window; the second one may wait for a cold start.
      for (const full of later.slice(0, 2)) expect(full.started - manySentAt).toBeLessThan(windowMs - 500);
      expect(later[2]!.started - manySentAt).toBeGreaterThanOrEqual(windowMs - 50);
      expect(later[2]!.started - manySentAt).toBeLessThan(windowMs + 1_500);
    });
  });

  it("sends healthy messages to the DLQ when reservedConcurrency throttles them and maxReceiveCount is 1", async () => {
    await withFidelityStack(throttleProne, async (fidelity) => {
      const load = sameLoad("throttled");
      await fidelity.send(load);
      await drained(fidelity, throttleProne.timeout);

      expectHealthy(fidelity.invocations, throttleProne.timeout);
      expect(peakOverlap(fidelity.invocations)).toBe(throttleProne.reservedConcurrency);
      // A throttled batch waits for a free slot until its visibility timeout: more than the first two ran.
      const handled = new Set(keysOf(fidelity.invocations));
      expect(handled.size).toBeGreaterThan(throttleProne.reservedConcurrency);

      const deadLetters = await fidelity.deadLetterKeys();
      expect(deadLetters.length).toBeGreaterThan(0);
      const failedInHandler = new Set(keysOf(fidelity.invocations.filter(({ outcome, failedItems }) => outcome !== "returned" || failedItems!.length > 0)));
      expect(deadLetters.filter((key) => failedInHandler.has(key))).toEqual([]);
      // Every message ran or was dead-lettered; one can do both when its throttle retry starts just
      // before its visibility timeout ends, the overlap AWS's six-times advice guards against.
      expect(load.filter(({ key }) => !handled.has(key) && !deadLetters.includes(key))).toEqual([]);
      expect((await fidelity.consumer()).throttles).toBeGreaterThan(0);
    });
  });

  it("sends none to the DLQ when maximumConcurrency caps the same load at the reserved concurrency", async () => {
    await withFidelityStack({ ...throttleProne, maximumConcurrency: throttleProne.reservedConcurrency }, async (fidelity) => {
      const load = sameLoad("capped");
      await fidelity.send(load);
      await drained(fidelity, throttleProne.timeout);

      expect(Object.fromEntries(deliveriesPerKey(fidelity.invocations))).toEqual(Object.fromEntries(load.map(({ key }) => [key, 1])));
      expectHealthy(fidelity.invocations, throttleProne.timeout);
      expect(peakOverlap(fidelity.invocations)).toBe(throttleProne.reservedConcurrency);
      expect((await fidelity.depth("dlq")).total).toBe(0);
      expect((await fidelity.consumer()).throttles).toBe(0);
    });
  });

  it("deletes the records of a batch that succeeded and retries only those in batchItemFailures", async () => {
    await withFidelityStack({ batchSize: 10, maximumBatchingWindow: 1, visibilityTimeout: 2, maxReceiveCount: 2 }, async (fidelity) => {
      await fidelity.send([...orders("fine", 4), { key: "failing", failItem: true }]);
      await eventually(async () => (await fidelity.depth("dlq")).total, (depth) => depth === 1, {
        what: "the failing record in the DLQ",
        timeoutMs: 20_000,
      });
      expect(Object.fromEntries(deliveriesPerKey(fidelity.invocations))).toEqual({ "fine-0": 1, "fine-1": 1, "fine-2": 1, "fine-3": 1, failing: 2 });
      expect(await fidelity.deadLetterKeys()).toEqual(["failing"]);
      expect((await fidelity.depth("work")).total).toBe(0);
    });
  });

  it("kills a batch that runs past the function timeout, retries it after the visibility timeout, and moves it to the DLQ after maxReceiveCount", async () => {
    const settings = { timeout: 1, visibilityTimeout: 2, maxReceiveCount: 2 } satisfies FidelitySettings;
    const sleepMs = 3_000;
    await withFidelityStack(settings, async (fidelity) => {
      await fidelity.send([{ key: "slow", sleepMs }]);
      await eventually(async () => (await fidelity.depth("dlq")).total, (depth) => depth === 1, {
        what: "the message in the DLQ",
        timeoutMs: 20_000,
      });
      expect(await fidelity.deadLetterKeys()).toEqual(["slow"]);
      expect((await fidelity.depth("work")).total).toBe(0);

      // Two receives, one invocation each: the retry is SQS's, not the runner's.
      expect(fidelity.invocations.map(({ records }) => records.map(({ key, receiveCount }) => ({ key, receiveCount })))).toEqual([
        [{ key: "slow", receiveCount: 1 }],
        [{ key: "slow", receiveCount: 2 }],
      ]);
      const [first, retry] = fidelity.invocations;
      // The message came back when its visibility timeout, counted from the first receive, ended:
      // the retry starts that long after the first start, less the first one's cold start.
      const visibilityMs = settings.visibilityTimeout * 1_000;
      const firstReceivedAt = retry!.records[0]!.firstReceivedAt;
      const firstHandOverMs = first!.started - firstReceivedAt;
      expect(firstHandOverMs).toBeGreaterThanOrEqual(0);
      expect(retry!.started - first!.started).toBeGreaterThanOrEqual(visibilityMs - firstHandOverMs - 50);
      expect(retry!.started - first!.started).toBeLessThan(visibilityMs + 1_500);
      // The first container was killed: the retry runs in a fresh one, and neither invocation
      // logs its end, not even once its sleep would have finished.
      expect(retry!.container).not.toBe(first!.container);
      await throughout(
        async () => fidelity.invocations.filter(({ ended }) => ended !== undefined).length,
        (ended) => ended === 0,
        { forMs: retry!.started + sleepMs + 500 - Date.now(), what: "no invocation to log its end" },
      );
    });
  });

  it("consumes nothing with reservedConcurrency 0, and warns about the settings AWS advises against", async () => {
    await withFidelityStack({ reservedConcurrency: 0, visibilityTimeout: 10, timeout: 5 }, async (fidelity) => {
      expect(fidelity.stack.warnings).toEqual(
        expect.arrayContaining([
          expect.stringContaining("reservedConcurrency is 0, the kill switch"),
          expect.stringContaining("VisibilityTimeout (10 s) is under six times the function timeout (5 s)"),
        ]),
      );
      await fidelity.send(orders("held", 3));
      // A receive would hide the messages for the 10 s visibility timeout; pollers that run at all
      // receive at once, and the scaler starts more every second: none may, for a few seconds.
      await throughout(
        async () => ({ ...(await fidelity.depth("work")), invocations: fidelity.invocations.length }),
        ({ visible, inFlight, invocations }) => visible === 3 && inFlight === 0 && invocations === 0,
        { forMs: 2_500, what: "the three messages to stay visible and unreceived" },
      );
    });
  });

  it("warns when reserved concurrency meets a low maxReceiveCount", async () => {
    await withFidelityStack({ reservedConcurrency: 2, maxReceiveCount: 2 }, async (fidelity) => {
      expect(fidelity.stack.warnings).toEqual(
        expect.arrayContaining([
          expect.stringContaining("reservedConcurrency 2 with maxReceiveCount 2"),
          expect.stringContaining("Set the sqs event's maximumConcurrency to at most 2"),
        ]),
      );
    });
  });
});
