import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { StartedBackend } from "../dev/aws/backends/index.ts";
import type { FidelitySettings } from "./fixtures/fidelity/fidelityService.ts";
import { describeOnBackend, startIntegrationBackend } from "./support/backendFixture.ts";
import { eventually, throughout } from "./support/eventually.ts";
import {
  deliveriesPerKey,
  keysOf,
  orders,
  peakOverlap,
  withFidelityStack as withSharedFidelityStack,
  type FidelityStack,
  type Invocation,
} from "./support/fidelityStack.ts";

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

interface ConsumerFidelityStack extends FidelityStack {
  /** The keys of the orders in the DLQ, read without removing them. */
  deadLetterKeys(): Promise<string[]>;
  consumer(): Promise<{ invocations: number; throttles: number }>;
}

/** The shared fidelity stack, plus what these scenarios read of the DLQ and of the consumer. */
async function withFidelityStack(settings: FidelitySettings, scenario: (fidelity: ConsumerFidelityStack) => Promise<void>): Promise<void> {
  await withSharedFidelityStack({ backend, sqs, settings }, async (fidelity) => {
    const deadLetterUrl = fidelity.stack.queues.find((candidate) => candidate.name.endsWith("-work-dlq"))!.url;
    await scenario({
      ...fidelity,
      async deadLetterKeys() {
        const keys = new Set<string>();
        for (;;) {
          // Received messages stay hidden for the rest of the scenario, so each receive brings new ones.
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl: deadLetterUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0 }),
          );
          if (Messages.length === 0) return [...keys];
          for (const message of Messages) keys.add((JSON.parse(message.Body!) as { key: string }).key);
        }
      },
      async consumer() {
        return (await fidelity.stack.status()).functions[0]!;
      },
    });
  });
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
    await withFidelityStack({ batchSize: 10, maximumBatchingWindow: 1, visibilityTimeout: 2, timeout: 2, maxReceiveCount: 2 }, async (fidelity) => {
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
