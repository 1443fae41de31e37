import { describe, expect, it } from "vitest";
import { queueArnParts } from "./existingQueue.ts";

// The ARN format of SQS queues: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html
// (arn:${Partition}:sqs:${Region}:${Account}:${QueueName}).
describe("an existing queue's ARN, as an sqs event names it", () => {
  it("reads the region, the account and the queue's name", () => {
    expect(queueArnParts("arn:aws:sqs:us-east-1:000000000000:service-basic", "worker")).toEqual({ region: "us-east-1", accountId: "000000000000", name: "service-basic" });
    expect(queueArnParts("arn:aws:sqs:eu-west-1:123456789012:jobs.fifo", "worker").name).toBe("jobs.fifo");
  });

  it("refuses what is no queue ARN, naming it and where it was read", () => {
    expect(() => queueArnParts("arn:aws:sns:us-east-1:123456789012:topic", "the sqs event of worker")).toThrow(
      'the sqs event of worker: "arn:aws:sns:us-east-1:123456789012:topic" is not an SQS queue ARN',
    );
    expect(() => queueArnParts("[object Object]", "worker")).toThrow(/is not an SQS queue ARN/);
  });
});
