import type { SQSClient } from "@aws-sdk/client-sqs";
import type { PunchMessage } from "../domain/recordPunch.ts";

/**
 * A function that parks a message in the dead-letter queue with its original body and, as message
 * attributes, why it was rejected and where it came from: what an operator needs to fix it and
 * redrive it. The SDK is imported on first use: most containers never park anything and should
 * not load it at init.
 */
export function deadLetterSender(queueUrl: string): (message: PunchMessage, reason: string) => Promise<void> {
  let sqs: SQSClient | undefined;
  return async (message, reason) => {
    const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
    sqs ??= new SQSClient({});
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
