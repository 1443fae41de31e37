import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { requiredEnv } from "../config.ts";
import type { PunchMessage } from "../domain/recordPunch.ts";

let sqs: SQSClient | undefined;

/**
 * Parks a message in the punches DLQ with its original body and, as message attributes, why it
 * was rejected and where it came from: what an operator needs to fix it and redrive it.
 */
export async function sendToDeadLetterQueue(message: PunchMessage, reason: string): Promise<void> {
  sqs ??= new SQSClient({});
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: requiredEnv("DEAD_LETTER_QUEUE_URL", "the URL of the punches dead-letter queue"),
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
}
