import type { PunchMessage } from "../domain/recordPunch.ts";
import { sqsClient } from "./sqsClient.ts";

/**
 * A function that parks a message in the dead-letter queue with its original body and, as message
 * attributes, why it was rejected and where it came from: what an operator needs to fix it and
 * redrive it.
 */
export function deadLetterSender(queueUrl: string): (message: PunchMessage, reason: string) => Promise<void> {
  return async (message, reason) => {
    const { SendMessageCommand } = await import("@aws-sdk/client-sqs");
    const sqs = await sqsClient();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: message.body,
        MessageAttributes: {
          failureReason: { DataType: "String", StringValue: reason.slice(0, 4_000) },
          receivedAt: { DataType: "String", StringValue: message.receivedAt },
          ...(message.correlationId && {
            correlationId: { DataType: "String", StringValue: message.correlationId },
          }),
        },
      }),
    );
  };
}
