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
  provisionedPollers,
}: {
  visibilityTimeout?: number;
  timeout?: number;
  reservedConcurrency?: number;
  /** null: none, as in provisioned mode. */
  maximumConcurrency?: number | null;
  maxReceiveCount?: number;
  batchSize?: number;
  window?: number;
  provisionedPollers?: { minimum: number; maximum: number };
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
        runtime: "nodejs22.x",
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
        ...(maximumConcurrency !== null && { maximumConcurrency }),
        ...(provisionedPollers && { provisionedPollers }),
        enabled: true,
      },
    ],
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

  // CreateEventSourceMapping's refusal as deploys report it: "InvalidParameterValueException: Queue
  // visibility timeout: 60 seconds is less than Function timeout: 120 seconds" (for example
  // github-aws-runners/terraform-aws-github-runner#465); equal is accepted.
  it("refuses a function timeout above the queue's visibility timeout, in AWS's words", () => {
    expect(() => configurationWarnings(model({ visibilityTimeout: 4, timeout: 10 }))).toThrow(
      "Queue visibility timeout: 4 seconds is less than Function timeout: 10 seconds",
    );
    expect(configurationWarnings(model({ visibilityTimeout: 10, timeout: 10 }))).toEqual([expect.stringContaining("Set VisibilityTimeout to at least 60")]);
  });

  it("refuses a maximumConcurrency below 2", () => {
    expect(() => configurationWarnings(model({ maximumConcurrency: 1 }))).toThrow("maximumConcurrency must be 2-1000");
  });

  it("refuses provisioned mode together with maximumConcurrency, naming both", () => {
    expect(() => configurationWarnings(model({ provisionedPollers: { minimum: 2, maximum: 3 } }))).toThrow(
      "ProvisionedPollerConfig and maximumConcurrency (ScalingConfig.MaximumConcurrency) cannot be used together",
    );
  });

  it("refuses pollers outside AWS's ranges for SQS: MinimumPollers 2-200, MaximumPollers 2-10000, not below the minimum", () => {
    const provisioned = (minimum: number, maximum: number) =>
      () => configurationWarnings(model({ maximumConcurrency: null, provisionedPollers: { minimum, maximum } }));
    expect(provisioned(1, 3)).toThrow("MinimumPollers must be 2-200 for SQS, got 1");
    expect(provisioned(201, 300)).toThrow("MinimumPollers must be 2-200 for SQS, got 201");
    expect(provisioned(2, 10_001)).toThrow("MaximumPollers must be 2-10000 for SQS, got 10001");
    expect(provisioned(5, 3)).toThrow("MaximumPollers (3) is below MinimumPollers (5)");
    expect(provisioned(2, 10_000)()).toEqual([]);
  });

  it("warns when the event pollers can run more than the reserved concurrency, ten invocations each", () => {
    const warnings = configurationWarnings(model({ maximumConcurrency: null, reservedConcurrency: 20, provisionedPollers: { minimum: 2, maximum: 3 } }));
    expect(warnings).toEqual([expect.stringContaining("MaximumPollers 3 may run up to 30 batches at once")]);
  });
});
