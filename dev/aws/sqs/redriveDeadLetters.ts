import {
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
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
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
  );
  // Those a read (peekDeadLetters) hides for a moment count too: the receive below waits for them.
  const waiting = Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  let moved = 0;
  while (moved < waiting) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(10, waiting - moved),
        WaitTimeSeconds: PEEK_VISIBILITY_SECONDS + 1,
        MessageAttributeNames: ["All"],
        VisibilityTimeout: 30,
      }),
    );
    if (Messages.length === 0) return moved;
    moved += await moveMessages(sqs, deadLetterQueueUrl, sourceQueueUrl, Messages);
  }
  return moved;
}

/**
 * Sends received dead letters to the source queue, body and attributes as they were, and deletes
 * from the dead-letter queue those the source accepted. Returns how many moved.
 */
async function moveMessages(sqs: SQSClient, deadLetterQueueUrl: string, sourceQueueUrl: string, messages: Message[]): Promise<number> {
  const { Successful = [] } = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: sourceQueueUrl,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        MessageBody: message.Body ?? "",
        ...(message.MessageAttributes && { MessageAttributes: message.MessageAttributes }),
      })),
    }),
  );
  const sent = Successful.map((entry) => messages[Number(entry.Id)]!);
  if (sent.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: deadLetterQueueUrl,
        Entries: sent.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
  return sent.length;
}

/** A message waiting in a dead-letter queue, as an operator reads it before redriving it. */
export interface DeadLetterMessage {
  messageId: string;
  body: string;
  /** String message attributes: a `failureReason` says why it was parked, when its sender gave one. */
  attributes: Record<string, string>;
  receiveCount: number;
  /** Epoch milliseconds it was sent to the dead-letter queue. */
  sentAt: number;
  firstReceivedAt: number | null;
}

const PEEK_LIMIT = 100;
/**
 * How long a read hides the messages it read. They come back by themselves: fauxqs, when it keeps
 * its state on disk, loses a message whose visibility is changed (ChangeMessageVisibility), so
 * nothing here changes it.
 */
export const PEEK_VISIBILITY_SECONDS = 2;

/**
 * The messages of a dead-letter queue, up to `limit`, left where they are: each is received with
 * a visibility timeout of PEEK_VISIBILITY_SECONDS and is visible again after it, so reading them
 * loses nothing. As in the SQS console's "poll for messages", each read counts as a receive.
 *
 * @example
 * for (const letter of await peekDeadLetters(sqs, dlqUrl)) console.log(letter.attributes.failureReason);
 */
export async function peekDeadLetters(sqs: SQSClient, deadLetterQueueUrl: string, limit = PEEK_LIMIT): Promise<DeadLetterMessage[]> {
  const seen = new Map<string, DeadLetterMessage>();
  await scanDeadLetters(sqs, deadLetterQueueUrl, limit, (message) => {
    seen.set(message.MessageId!, deadLetterOf(message));
    return false;
  });
  return [...seen.values()].sort((a, b) => a.sentAt - b.sentAt);
}

/**
 * Moves one message of a dead-letter queue back to its source queue, the same way
 * redriveDeadLetters moves them all. Returns false when the message is no longer there.
 */
export async function redriveDeadLetter(sqs: SQSClient, deadLetterQueueUrl: string, sourceQueueUrl: string, messageId: string): Promise<boolean> {
  const message = await takeDeadLetter(sqs, deadLetterQueueUrl, messageId);
  return message !== undefined && (await moveMessages(sqs, deadLetterQueueUrl, sourceQueueUrl, [message])) === 1;
}

/** Deletes one message of a dead-letter queue for good. Returns false when it is no longer there. */
export async function deleteDeadLetter(sqs: SQSClient, deadLetterQueueUrl: string, messageId: string): Promise<boolean> {
  const message = await takeDeadLetter(sqs, deadLetterQueueUrl, messageId);
  if (!message) return false;
  await sqs.send(new DeleteMessageCommand({ QueueUrl: deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }));
  return true;
}

/**
 * Receives the dead-letter queue's messages until `messageId` comes up. A read a moment ago (the
 * console's list) may still hide it: the search goes on until that read's visibility has passed.
 */
async function takeDeadLetter(sqs: SQSClient, deadLetterQueueUrl: string, messageId: string): Promise<Message | undefined> {
  const givesUpAt = Date.now() + (PEEK_VISIBILITY_SECONDS + 1) * 1_000;
  for (;;) {
    let found: Message | undefined;
    await scanDeadLetters(sqs, deadLetterQueueUrl, PEEK_LIMIT, (message) => {
      if (message.MessageId === messageId) found = message;
      return found !== undefined;
    });
    if (found || Date.now() >= givesUpAt) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Receives a queue's messages in batches until `keep` keeps one, `limit` are seen, or no new one comes. */
async function scanDeadLetters(sqs: SQSClient, queueUrl: string, limit: number, keep: (message: Message) => boolean): Promise<void> {
  const seen = new Set<string>();
  while (seen.size < limit) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    );
    const fresh = Messages.filter((message) => !seen.has(message.MessageId!));
    if (fresh.length === 0) return;
    for (const message of fresh) {
      seen.add(message.MessageId!);
      if (keep(message)) return;
    }
  }
}

function deadLetterOf(message: Message): DeadLetterMessage {
  const system = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    body: message.Body ?? "",
    attributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {})
        .filter(([, value]) => value.StringValue !== undefined)
        .map(([name, value]) => [name, value.StringValue!]),
    ),
    receiveCount: Number(system.ApproximateReceiveCount ?? 1),
    sentAt: Number(system.SentTimestamp ?? Date.now()),
    firstReceivedAt: system.ApproximateFirstReceiveTimestamp ? Number(system.ApproximateFirstReceiveTimestamp) : null,
  };
}
