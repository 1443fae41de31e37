import type { Message } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import published from "./fixtures/awsSqsEvent.json" with { type: "json" };
import { MAX_INVOCATION_PAYLOAD_BYTES, payloadSizedBatches, toSqsRecord } from "./sqsRecord.ts";

const source = { queueArn: "arn:aws:sqs:us-east-2:123456789012:my-queue", region: "us-east-2", accountId: "123456789012" };

/** A message as ReceiveMessage returns it with all attributes asked for. */
function received(body: string, id = "059f36b4-87a3-44ab-83d2-661975830a7d"): Message {
  return {
    MessageId: id,
    ReceiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
    Body: body,
    MD5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3",
    Attributes: { ApproximateReceiveCount: "1", SentTimestamp: "1545082649183", SenderId: "AIDAIENQZJOLO23YVJ4VO", ApproximateFirstReceiveTimestamp: "1545082649185" },
    MessageAttributes: { myAttribute: { DataType: "String", StringValue: "myValue" } },
  };
}

/** Every key path with the type of its value: two records of the same shape have the same list. */
function shapeOf(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return [`${path}: array`];
  if (value === null || typeof value !== "object") return [`${path}: ${value === null ? "null" : typeof value}`];
  return Object.entries(value).flatMap(([key, inner]) => shapeOf(inner, `${path}.${key}`)).sort();
}

describe("the SQS record Lambda hands the function", () => {
  it("has the keys and value types of AWS's published example event", () => {
    const [expected] = published.event.Records;
    expect(shapeOf(toSqsRecord(received("Test message."), source))).toEqual(shapeOf(expected));
  });

  it("carries the message as AWS's example shows it, its keys in the same order", () => {
    const [expected] = published.event.Records;
    const record = toSqsRecord(received("Test message."), source);
    expect(record).toEqual(expected);
    expect(JSON.stringify(record)).toBe(JSON.stringify(expected));
  });
});

describe("the 6 MB invocation payload", () => {
  it("delivers records past the limit in a later invocation, in order", () => {
    const third = Math.floor(MAX_INVOCATION_PAYLOAD_BYTES / 3);
    const messages = ["a", "b", "c"].map((id) => received("x".repeat(third), id));
    const batches = payloadSizedBatches(messages, source);
    expect(batches.map((batch) => batch.map((message) => message.MessageId))).toEqual([["a", "b"], ["c"]]);
  });

  it("keeps a batch whose event fits whole", () => {
    const messages = ["a", "b"].map((id) => received("small", id));
    expect(payloadSizedBatches(messages, source)).toEqual([messages]);
  });

  it("still delivers a single record larger than the limit, alone", () => {
    const messages = [received("x".repeat(MAX_INVOCATION_PAYLOAD_BYTES), "big"), received("small", "next")];
    expect(payloadSizedBatches(messages, source).map((batch) => batch.length)).toEqual([1, 1]);
  });

  it("counts the event's envelope and commas: records that fill the limit exactly fit, one byte more does not", () => {
    const empty = Buffer.byteLength(JSON.stringify({ Records: [toSqsRecord(received(""), source)] }));
    const fill = received("x".repeat(MAX_INVOCATION_PAYLOAD_BYTES - empty));
    expect(payloadSizedBatches([fill], source, MAX_INVOCATION_PAYLOAD_BYTES)).toHaveLength(1);
    const pair = [received("a", "1"), received("b", "2")];
    const pairBytes = Buffer.byteLength(JSON.stringify({ Records: pair.map((message) => toSqsRecord(message, source)) }));
    expect(payloadSizedBatches(pair, source, pairBytes)).toHaveLength(1);
    expect(payloadSizedBatches(pair, source, pairBytes - 1)).toHaveLength(2);
  });
});
