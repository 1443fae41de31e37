import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/**
 * Moves every message of a dead-letter queue back to its source queue, body and attributes as
 * they were, the way the SQS console's "DLQ redrive" does (fauxqs has no StartMessageMoveTask,
 * so this is done with receive, send and delete, which every SQS endpoint supports). A message
 * is deleted from the DLQ only once it is in the source queue: nothing is lost if this stops.
 * Only as many as the DLQ held at the start are moved, so a message that fails again and comes
 * back is not redriven in a loop. Returns how many it moved.
 */
export async function redriveDeadLetters(sqs: SQSClient, deadLetterQueueUrl: string, sourceQueueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  const waiting = Number(Attributes.ApproximateNumberOfMessages ?? 0);
  let moved = 0;
  while (moved < waiting) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(10, waiting - moved),
        WaitTimeSeconds: 1,
        MessageAttributeNames: ["All"],
        VisibilityTimeout: 30,
      }),
    );
    if (Messages.length === 0) return moved;
    const { Successful = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: sourceQueueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          MessageBody: message.Body ?? "",
          ...(message.MessageAttributes && { MessageAttributes: message.MessageAttributes }),
        })),
      }),
    );
    const sent = Successful.map((entry) => Messages[Number(entry.Id)]!);
    if (sent.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: deadLetterQueueUrl,
          Entries: sent.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
    moved += sent.length;
  }
  return moved;
}
