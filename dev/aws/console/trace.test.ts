import { describe, expect, it } from "vitest";
import { BoundedRing } from "../lambda/boundedRing.ts";
import type { FunctionRuntime } from "../lambda/functionRuntime.ts";
import { InvocationHistory } from "../lambda/invocationHistory.ts";
import type { ProvisionedQueue } from "../sqs/provisionQueues.ts";
import published from "../lambda/eventSourceMapping/fixtures/awsSqsEvent.json" with { type: "json" };
import { traceOf, type TraceSources } from "./trace.ts";

/** A function whose one invocation, of AWS's example SQS event, failed. */
function failedOnMessage(functionName: string) {
  const history = new InvocationHistory(functionName);
  const entry = history.begin(1, 1, true, published.event);
  history.finish(entry, { status: "failed", error: { errorType: "Error", errorMessage: "boom" } });
  return { history } as unknown as FunctionRuntime;
}
const messageId = published.event.Records[0]!.messageId;
const queue = (name: string, deadLetterQueueLogicalId?: string): ProvisionedQueue => ({
  logicalId: name,
  name,
  url: `http://127.0.0.1/000000000000/${name}`,
  arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
  visibilityTimeoutSeconds: 30,
  ...(deadLetterQueueLogicalId && { deadLetterQueueLogicalId, maxReceiveCount: 3 }),
});
const sources = (queues: ProvisionedQueue[]): TraceSources => ({
  requests: () => new BoundedRing(10),
  functions: [failedOnMessage("worker")],
  pipeline: { routes: [], eventSources: [{ queue: "jobs", function: "worker", batchSize: 10, maximumConcurrency: null }] },
  queues,
});

describe("a trace's verdict names only what the stack has", () => {
  it("names the dead-letter queue of the queue that feeds the function", async () => {
    const trace = await traceOf(messageId, sources([queue("jobs-dlq"), queue("jobs", "jobs-dlq")]));
    expect(trace.verdict).toBe("the last invocation of worker failed: Error: boom; the message returns to its queue after the visibility timeout and goes to jobs-dlq after maxReceiveCount receives");
    expect(trace.storedLookup).toBe("unavailable");
  });

  it("names no dead-letter queue where the function's queue has none", async () => {
    const trace = await traceOf(messageId, sources([queue("jobs")]));
    expect(trace.verdict).toMatch(/is retried until it expires \(its queue has no dead-letter queue\)$/);
    expect(trace.verdict).not.toMatch(/goes to/);
  });
});
