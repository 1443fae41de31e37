import { randomBytes } from "node:crypto";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { enqueueBodies, startLocalAws, type LocalAws, type StartedBackend } from "../dev/aws/index.ts";
import { fidelityServiceDir, writeFidelityService, type FidelitySettings } from "./fixtures/fidelity/fidelityService.ts";
import { describeOnBackend, startIntegrationBackend } from "./support/backendFixture.ts";
import { eventually } from "./support/eventually.ts";
import { messagesIn } from "./support/pipelineProbe.ts";

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

interface FidelityStack {
  stack: LocalAws;
  /** Each invocation's batch of message ids, with the time it started. */
  batches: Array<{ batch: string[]; at: number }>;
  send(orders: object[]): Promise<number>;
  depth(queue: "work" | "dlq"): Promise<number>;
  consumer(): Promise<{ invocations: number; peakConcurrency: number; throttles: number; timeouts: number }>;
}

/** Runs a scenario on a stack of the fidelity service, from a serverless.yml written with these settings. */
async function withFidelityStack(settings: FidelitySettings, scenario: (fidelity: FidelityStack) => Promise<void>): Promise<void> {
  const config = await writeFidelityService(settings);
  const batches: FidelityStack["batches"] = [];
  const stack = await startLocalAws({
    backend,
    serviceDir: fidelityServiceDir,
    configFile: config.configFile,
    stage: `f${randomBytes(3).toString("hex")}`,
    apiPort: 0,
    onLog: (_fn, line) => {
      if (line.startsWith('{"batch"')) batches.push(JSON.parse(line) as { batch: string[]; at: number });
    },
  }).finally(() => config.remove());
  const url = (queue: "work" | "dlq") => stack.queues.find((candidate) => candidate.name.endsWith(queue === "work" ? "-work" : "-work-dlq"))!.url;
  const fidelity: FidelityStack = {
    stack,
    batches,
    async send(orders) {
      const sentAt = Date.now();
      await enqueueBodies(sqs, url("work"), orders.map((order) => JSON.stringify(order)));
      return sentAt;
    },
    depth: (queue) => messagesIn(sqs, url(queue)),
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

const orders = (count: number, order: object = {}) => Array.from({ length: count }, () => ({ ...order }));

describeOnBackend("the SQS event source runner, against AWS's documented behaviour", () => {
  it("runs exactly maximumConcurrency batches at once under a backlog, and follows serverless.yml when it changes", async () => {
    for (const cap of [2, 3]) {
      await withFidelityStack({ maximumConcurrency: cap, batchSize: 1 }, async (fidelity) => {
        await fidelity.send(orders(12, { sleepMs: 300 }));
        await eventually(() => fidelity.depth("work"), (depth) => depth === 0, { what: "the backlog to drain" });
        const consumer = await fidelity.consumer();
        expect(consumer.invocations).toBe(12);
        expect(consumer.peakConcurrency).toBe(cap);
      });
    }
  });

  it("hands over a batch when the batching window ends, or when it is full", async () => {
    await withFidelityStack({ batchSize: 10, maximumBatchingWindow: 2 }, async (fidelity) => {
      const sentAt = await fidelity.send(orders(3));
      await eventually(async () => fidelity.batches.length, (count) => count >= 1, { what: "the first batch" });
      expect(fidelity.batches[0]!.batch).toHaveLength(3);
      expect(fidelity.batches[0]!.at - sentAt).toBeGreaterThanOrEqual(1_800);

      await fidelity.send(orders(25));
      await eventually(async () => fidelity.batches.flatMap(({ batch }) => batch).length, (count) => count === 28, {
        what: "all 28 messages delivered",
      });
      expect(Math.max(...fidelity.batches.map(({ batch }) => batch.length))).toBeLessThanOrEqual(10);
    });
  });

  it("sends healthy messages to the DLQ when reservedConcurrency throttles them and maxReceiveCount is 1", async () => {
    await withFidelityStack({ reservedConcurrency: 1, maxReceiveCount: 1, visibilityTimeout: 5, timeout: 3 }, async (fidelity) => {
      await fidelity.send(orders(10, { sleepMs: 1_500 }));
      await eventually(
        async () => ({ work: await fidelity.depth("work"), dlq: await fidelity.depth("dlq") }),
        ({ work }) => work === 0,
        { what: "the queue to empty", timeoutMs: 30_000 },
      );
      const consumer = await fidelity.consumer();
      expect(consumer.throttles).toBeGreaterThan(0);
      expect(await fidelity.depth("dlq")).toBeGreaterThan(0);
      // Every message ran or was dead-lettered; one can do both when its throttle retry starts just
      // before its visibility timeout ends, the overlap AWS's six-times advice guards against.
      expect((await fidelity.depth("dlq")) + consumer.invocations).toBeGreaterThanOrEqual(10);
    });
  });

  it("sends none to the DLQ when maximumConcurrency caps the same load instead", async () => {
    await withFidelityStack({ maximumConcurrency: 2, maxReceiveCount: 1, visibilityTimeout: 5, timeout: 3 }, async (fidelity) => {
      await fidelity.send(orders(10, { sleepMs: 1_500 }));
      await eventually(async () => (await fidelity.consumer()).invocations, (count) => count === 10, {
        what: "ten invocations",
        timeoutMs: 30_000,
      });
      await eventually(() => fidelity.depth("work"), (depth) => depth === 0, { what: "the queue to empty" });
      expect(await fidelity.depth("dlq")).toBe(0);
      expect((await fidelity.consumer()).throttles).toBe(0);
    });
  });

  it("deletes the records of a batch that succeeded and retries only those in batchItemFailures", async () => {
    await withFidelityStack({ batchSize: 10, maximumBatchingWindow: 1, visibilityTimeout: 2, maxReceiveCount: 2 }, async (fidelity) => {
      await fidelity.send([...orders(4), { failItem: true }]);
      await eventually(() => fidelity.depth("dlq"), (depth) => depth === 1, { what: "the failing record in the DLQ", timeoutMs: 20_000 });
      const deliveries = new Map<string, number>();
      for (const id of fidelity.batches.flatMap(({ batch }) => batch)) deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      expect([...deliveries.values()].sort()).toEqual([1, 1, 1, 1, 2]);
      expect(await fidelity.depth("work")).toBe(0);
    });
  });

  it("fails a batch that runs past the function timeout, retries it, and moves it to the DLQ after maxReceiveCount", async () => {
    await withFidelityStack({ timeout: 1, visibilityTimeout: 2, maxReceiveCount: 2 }, async (fidelity) => {
      await fidelity.send([{ sleepMs: 5_000 }]);
      await eventually(() => fidelity.depth("dlq"), (depth) => depth === 1, { what: "the message in the DLQ", timeoutMs: 20_000 });
      const consumer = await fidelity.consumer();
      expect(consumer.timeouts).toBe(2);
      expect(await fidelity.depth("work")).toBe(0);
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
      await fidelity.send(orders(3));
      // Nothing may happen, so the check is that nothing did within a few poll cycles.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect((await fidelity.consumer()).invocations).toBe(0);
      expect(await fidelity.depth("work")).toBe(3);
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
