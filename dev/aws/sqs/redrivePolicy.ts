/*
 * A queue's RedrivePolicy, from https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html:
 * "When the ReceiveCount for a message exceeds the maxReceiveCount for a queue, Amazon SQS moves
 * the message to the dead-letter queue". The count goes up at each receive, so a message with
 * maxReceiveCount 1 is delivered once and moves on the receive that would be its second.
 */

/**
 * Whether the next receive of a message already received `receiveCount` times moves it to the DLQ
 * instead of delivering it. Without a redrive policy it never moves.
 *
 * @example
 * movesToDeadLetterQueue(1, 1); // true: its second receive would exceed 1
 * movesToDeadLetterQueue(4, 5); // false: a fifth delivery is allowed
 */
export function movesToDeadLetterQueue(receiveCount: number, maxReceiveCount: number | undefined): boolean {
  return maxReceiveCount !== undefined && receiveCount + 1 > maxReceiveCount;
}

/*
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html:
 * "there can be a maximum of approximately 120,000 in flight messages" in a standard queue; "if you
 * use long polling, Amazon SQS returns no error messages": a receive past it gets nothing.
 */
export const MAX_IN_FLIGHT_MESSAGES = 120_000;
