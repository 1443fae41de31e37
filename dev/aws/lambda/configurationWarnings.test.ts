import { describe, expect, it } from "vitest";
import { configurationWarnings } from "./configurationWarnings.ts";
import type { ServiceModel } from "../cloudformation/serviceModel.ts";

function model({
  visibilityTimeout = 60,
  timeout = 10,
  reservedConcurrency,
  maximumConcurrency = 5,
  maxReceiveCount = 5,
  batchSize = 10,
  window = 0,
}: {
  visibilityTimeout?: number;
  timeout?: number;
  reservedConcurrency?: number;
  maximumConcurrency?: number;
  maxReceiveCount?: number;
  batchSize?: number;
  window?: number;
}): ServiceModel {
  return {
    queues: [
      {
        logicalId: "Work",
        properties: { QueueName: "work", VisibilityTimeout: visibilityTimeout },
        deadLetterQueueLogicalId: "WorkDlq",
        maxReceiveCount,
      },
    ],
    buckets: [],
    functions: [
      {
        logicalId: "Consume",
        name: "consume",
        handler: "h.handler",
        timeoutSeconds: timeout,
        memoryMegabytes: 512,
        ...(reservedConcurrency !== undefined && { reservedConcurrency }),
        environment: {},
      },
    ],
    eventSourceMappings: [
      {
        functionLogicalId: "Consume",
        queueLogicalId: "Work",
        batchSize,
        maximumBatchingWindowSeconds: window,
        reportBatchItemFailures: true,
        maximumConcurrency,
        enabled: true,
      },
    ],
    routes: [],
    gatewayResponses: new Map(),
  };
}

describe("configurationWarnings", () => {
  it("has nothing to say about ponto's own settings", () => {
    expect(configurationWarnings(model({}))).toEqual([]);
  });

  it("warns when the visibility timeout is under six function timeouts, and says what to set", () => {
    expect(configurationWarnings(model({ visibilityTimeout: 30 }))).toEqual([
      expect.stringContaining("Set VisibilityTimeout to at least 60"),
    ]);
  });

  it("warns that reserved concurrency with a low maxReceiveCount sends healthy messages to the DLQ", () => {
    const warnings = configurationWarnings(model({ reservedConcurrency: 5, maxReceiveCount: 2 }));
    expect(warnings).toEqual([expect.stringContaining("Raise maxReceiveCount to at least 5")]);
  });

  it("refuses what AWS refuses: a batch above 10 without a batching window", () => {
    expect(() => configurationWarnings(model({ batchSize: 50 }))).toThrow("needs maximumBatchingWindow of at least 1 s");
  });

  it("refuses a maximumConcurrency below 2", () => {
    expect(() => configurationWarnings(model({ maximumConcurrency: 1 }))).toThrow("maximumConcurrency must be 2-1000");
  });
});
