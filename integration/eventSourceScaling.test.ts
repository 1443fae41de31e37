import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LocalAwsError } from "../dev/aws/index.ts";
import { type StartedBackend } from "../dev/aws/backends/index.ts";
import { describeOnBackend, startIntegrationBackend } from "./support/backendFixture.ts";
import { eventually, throughout } from "./support/eventually.ts";
import { deliveriesPerKey, keysOf, orders, peakOverlap, startFidelityStack, withFidelityStack } from "./support/fidelityStack.ts";

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

/** SQS's largest message since 2025: 1 MiB, body and attributes together. */
const MESSAGE_LIMIT_BYTES = 1_048_576;

/** An order whose JSON body is exactly `bytes` long: the consumer can only parse it whole. */
function orderOfSize(key: string, bytes: number): string {
  const shell = JSON.stringify({ key, pad: "" });
  return JSON.stringify({ key, pad: "x".repeat(bytes - shell.length) });
}

/** Sends each body in its own SendMessage, as the edge does with large bodies (a batch call is capped at 1 MiB in all). */
async function sendAlone(queueUrl: string, bodies: string[]): Promise<void> {
  await Promise.all(bodies.map((body) => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }))));
}

/** The event source's line of /_local/status. */
const eventSourceOf = async (stack: { status(): Promise<{ eventSources: unknown[] }> }) =>
  (await stack.status()).eventSources[0] as import("../dev/aws/index.ts").EventSourceStats;

describeOnBackend("SQS event sources as AWS scales them today", () => {
  it("runs ten invocations per event poller in provisioned mode: MinimumPollers 2 and MaximumPollers 3 reach exactly 30 under a backlog, never more", async () => {
    const settings = { provisionedPollers: { minimum: 2, maximum: 3 }, batchSize: 1, timeout: 10, visibilityTimeout: 60 };
    await withFidelityStack({ backend, sqs, settings }, async (fidelity) => {
      expect(await eventSourceOf(fidelity.stack)).toMatchObject({
        mode: "provisioned",
        pollers: 20,
        pollerLimits: { minimum: 20, maximum: 30 },
        eventPollers: { current: 2, minimum: 2, maximum: 3 },
      });
      // Three rounds at the ceiling: the first second runs on the minimum pollers' 20, then 30.
      const backlog = orders("provisioned", 90, { sleepMs: 1_500 });
      await fidelity.send(backlog);
      await eventually(
        async () => fidelity.invocations.filter(({ ended }) => ended !== undefined).length,
        (count) => count === backlog.length,
        { what: `all ${backlog.length} messages handled`, timeoutMs: 40_000 },
      );
      expect([...deliveriesPerKey(fidelity.invocations).values()]).toEqual(backlog.map(() => 1));
      expect(peakOverlap(fidelity.invocations)).toBe(30);
      expect(await eventSourceOf(fidelity.stack)).toMatchObject({ peakConcurrentBatches: 30, eventPollers: { minimum: 2, maximum: 3 } });
    });
  });

  it("refuses at start a mapping that sets both ProvisionedPollerConfig and maximumConcurrency, as AWS does", async () => {
    const start = startFidelityStack({ backend, settings: { provisionedPollers: { minimum: 2, maximum: 3 }, maximumConcurrency: 5 } });
    await expect(start).rejects.toThrow(LocalAwsError);
    await expect(start).rejects.toThrow("ProvisionedPollerConfig and maximumConcurrency (ScalingConfig.MaximumConcurrency) cannot be used together");
  });

  it("scales an idle standard-mode source down to two pollers and back to five when a message comes, but keeps five when maximumConcurrency is set", async () => {
    // AWS publishes no figure for "when traffic is low": the runner's idle window (60 s) and long
    // poll (20 s) are shortened here so that the floor shows in seconds.
    const eventSourceTiming = { idleScaleDownMs: 2_000, longPollSeconds: 1 };
    const pollersOf = async (fidelity: { stack: Parameters<typeof eventSourceOf>[0] }) => (await eventSourceOf(fidelity.stack)).pollers;
    await withFidelityStack({ backend, sqs, settings: { batchSize: 10 }, eventSourceTiming }, async (fidelity) => {
      expect(await eventSourceOf(fidelity.stack)).toMatchObject({ mode: "standard", pollers: 5, pollerLimits: { minimum: 2, maximum: 1_250 } });
      await eventually(() => pollersOf(fidelity), (pollers) => pollers === 2, { what: "two pollers on an idle queue" });
      await throughout(() => pollersOf(fidelity), (pollers) => pollers === 2, { forMs: 1_500, what: "two pollers, no fewer" });

      // One message, far from a full batch: no backlog to scale on, only the return to five.
      await fidelity.send(orders("wake", 1));
      await eventually(() => pollersOf(fidelity), (pollers) => pollers === 5, { what: "five pollers once a message came", timeoutMs: 1_500 });
    });

    await withFidelityStack({ backend, sqs, settings: { batchSize: 10, maximumConcurrency: 8 }, eventSourceTiming }, async (fidelity) => {
      expect(await eventSourceOf(fidelity.stack)).toMatchObject({ pollerLimits: { minimum: 5, maximum: 8 } });
      // Well past the idle window and a long poll: with maximumConcurrency set, AWS keeps five.
      await throughout(() => pollersOf(fidelity), (pollers) => pollers === 5, { forMs: 4_000, what: "five pollers" });
    });
  });

  it("cuts a batch whose records pass the 6 MB invocation payload, and delivers the rest promptly in a later batch", async () => {
    // Gathering stops at a full batch or at 6 MB of bodies: seven of 800 kB (5.6 MB) stay under it,
    // so the batch is all eight however the receives split them on a loaded machine (with 900 kB
    // bodies, seven received first passed 6 MB and the eighth waited out a window of its own).
    const settings = { batchSize: 8, maximumBatchingWindow: 20, visibilityTimeout: 60, maxReceiveCount: 5 };
    await withFidelityStack({ backend, sqs, settings }, async (fidelity) => {
      // Eight bodies of 800 kB: 6.4 MB in all, seven of them (5.6 MB) fit one invocation.
      const bodies = Array.from({ length: 8 }, (_, index) => orderOfSize(`large-${index}`, 800_000));
      await sendAlone(fidelity.workQueueUrl, bodies);
      await eventually(async () => keysOf(fidelity.invocations).length, (count) => count >= 8, { what: "all eight handed over", timeoutMs: 20_000 });
      await eventually(async () => (await fidelity.depth("work")).total, (total) => total === 0, { what: "the queue emptied" });

      const [cut, rest, ...more] = fidelity.invocations;
      expect(more).toEqual([]);
      expect(cut!.records.length).toBe(7);
      expect(rest!.records.length).toBe(1);
      expect([...deliveriesPerKey(fidelity.invocations).values()]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
      // The rest was received with the first batch and follows in the poller's next invocation,
      // once the first one is done, long before the 30 s visibility timeout would return it.
      expect(rest!.records.map(({ receiveCount }) => receiveCount)).toEqual([1]);
      expect(rest!.started).toBeGreaterThanOrEqual(cut!.ended!);
      expect(rest!.started - cut!.started).toBeLessThan(settings.visibilityTimeout * 1_000 / 3);
      for (const invocation of fidelity.invocations) expect(invocation).toMatchObject({ outcome: "returned" });
      expect((await fidelity.depth("dlq")).total).toBe(0);
    });
  });

  it("stores a 1 MiB message and hands it whole to the consumer; a byte more is refused by the queue", async () => {
    await withFidelityStack({ backend, sqs, settings: { batchSize: 10, visibilityTimeout: 30 } }, async (fidelity) => {
      await sendAlone(fidelity.workQueueUrl, [orderOfSize("largest", MESSAGE_LIMIT_BYTES)]);
      await eventually(async () => fidelity.invocations.filter(({ ended }) => ended !== undefined), (ended) => ended.length === 1, {
        what: "the 1 MiB message handled",
      });
      // The consumer parses each body as JSON: a truncated one would throw, not return.
      expect(fidelity.invocations).toEqual([
        expect.objectContaining({ outcome: "returned", records: [expect.objectContaining({ key: "largest", receiveCount: 1 })] }),
      ]);
      await eventually(async () => (await fidelity.depth("work")).total, (total) => total === 0, { what: "the message deleted" });

      await expect(sendAlone(fidelity.workQueueUrl, [orderOfSize("too-large", MESSAGE_LIMIT_BYTES + 1)])).rejects.toThrow(/shorter than/);
    });
  });
});
