import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { batchOutcome } from "./batchOutcome.ts";
import { toSqsRecord } from "./sqsRecord.ts";

// Expected values from https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
// ("Success and failure conditions" of partial batch responses).
const BATCH = ["m1", "m2", "m3"];
const succeeded = (payload: unknown) => ({ status: "succeeded" as const, payload });

describe("what an invocation's outcome means for each record", () => {
  it("keeps only the records named in batchItemFailures", () => {
    const outcome = batchOutcome(succeeded({ batchItemFailures: [{ itemIdentifier: "m2" }] }), BATCH, true);
    expect(outcome.failed).toEqual(new Set(["m2"]));
  });

  it("fails the whole batch when an itemIdentifier names no record of the batch", () => {
    expect(batchOutcome(succeeded({ batchItemFailures: [{ itemIdentifier: "m2" }, { itemIdentifier: "other" }] }), BATCH, true).failed).toBe("all");
  });

  it("fails the whole batch for an empty or null itemIdentifier, or a wrong key name", () => {
    for (const failure of [{ itemIdentifier: "" }, { itemIdentifier: null }, { itemId: "m1" }]) {
      expect(batchOutcome(succeeded({ batchItemFailures: [failure] }), BATCH, true).failed).toBe("all");
    }
  });

  it("fails the whole batch when batchItemFailures is not a list", () => {
    expect(batchOutcome(succeeded({ batchItemFailures: "m1" }), BATCH, true).failed).toBe("all");
  });

  it("counts an empty or null list, or an empty or null response, as complete success", () => {
    for (const payload of [{ batchItemFailures: [] }, { batchItemFailures: null }, {}, null, undefined]) {
      expect(batchOutcome(succeeded(payload), BATCH, true).failed).toEqual(new Set());
    }
  });

  it("ignores the response without ReportBatchItemFailures: a successful invocation deletes every record", () => {
    expect(batchOutcome(succeeded({ batchItemFailures: [{ itemIdentifier: "m1" }] }), BATCH, false).failed).toEqual(new Set());
  });

  it("fails the whole batch when the invocation throws or times out", () => {
    const error = { errorType: "Error", errorMessage: "boom", stack: [] };
    expect(batchOutcome({ status: "failed", error }, BATCH, true).failed).toBe("all");
    expect(batchOutcome({ status: "timed-out" }, BATCH, true).failed).toBe("all");
  });
});

describe("a partial batch response written by a library no one here wrote", () => {
  it("keeps exactly the record whose handler threw in Powertools' processPartialResponse", async () => {
    const source = { queueArn: "arn:aws:sqs:eu-west-1:000000000000:work", region: "eu-west-1", accountId: "000000000000" };
    const event: SQSEvent = {
      Records: ["good", "bad", "good"].map((body, index) => toSqsRecord({ MessageId: `m${index + 1}`, ReceiptHandle: `r${index + 1}`, Body: body }, source)),
    };
    const response = await processPartialResponse(
      event,
      async (record: { body: string }) => {
        if (record.body === "bad") throw new Error("cannot store it");
      },
      new BatchProcessor(EventType.SQS),
    );
    expect(batchOutcome({ status: "succeeded", payload: response }, ["m1", "m2", "m3"], true).failed).toEqual(new Set(["m2"]));
  });
});
