import type { SQSClient } from "@aws-sdk/client-sqs";
import { requiredEnv } from "../config.ts";
import type { PunchMessage } from "../domain/recordPunch.ts";

let sqs: SQSClient | undefined;

/**
 * Parks a message in the punches DLQ with its original body and, as message attributes, why it
 * was rejected and where it came from: what an operator needs to fix it and redrive it. The SDK
 * is imported on first use: most containers never park anything and should not load it at init.
 */
export async function sendToDeadLetterQueue(message: PunchMessage, reason: string): Promise<void> {
  const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
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
