import { sqsClient } from "./sqsClient.ts";

/** A message no retry can fix, as an operator needs it to fix it and redrive it. */
export interface DeadLetter {
  /** The original body, sent again unchanged by a redrive. */
  body: string;
  /** Why it was parked. */
  reason: string;
  /** When the message first reached us. */
  receivedAt?: string;
  correlationId?: string;
}

/**
 * A function that parks a message in the dead-letter queue with its original body and, as message
 * attributes, the reason (`failureReason`), `receivedAt` and `correlationId` when they are known.
 *
 * @example
 * const park = deadLetterSender(config.deadLetterQueueUrl);
 * await park({ body, reason: "invalid punch: /kind must be one of: in, out", receivedAt });
 */
export function deadLetterSender(queueUrl: string): (letter: DeadLetter) => Promise<void> {
  return async ({ body, reason, receivedAt, correlationId }) => {
    const { SendMessageCommand } = await import("@aws-sdk/client-sqs");
    const sqs = await sqsClient();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: {
          failureReason: { DataType: "String", StringValue: reason.slice(0, 4_000) },
          ...(receivedAt && { receivedAt: { DataType: "String", StringValue: receivedAt } }),
          ...(correlationId && { correlationId: { DataType: "String", StringValue: correlationId } }),
        },
      }),
    );
  };
}
