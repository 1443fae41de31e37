import { describe, expect, it } from "vitest";
import { movesToDeadLetterQueue } from "./redrivePolicy.ts";

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html:
// "When the ReceiveCount for a message exceeds the maxReceiveCount … SQS moves the message to the dead-letter queue".
describe("a redrive policy", () => {
  it("delivers a message maxReceiveCount times and moves it on the receive after", () => {
    const deliveries = (maxReceiveCount: number) => {
      let receiveCount = 0;
      while (!movesToDeadLetterQueue(receiveCount, maxReceiveCount)) receiveCount += 1;
      return receiveCount;
    };
    expect(deliveries(1)).toBe(1);
    expect(deliveries(5)).toBe(5);
  });

  it("never moves a message of a queue without one", () => {
    expect(movesToDeadLetterQueue(1_000, undefined)).toBe(false);
  });
});
