import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import DataLoader from "dataloader";
import type { SqsJsonClient } from "./sqsJsonClient.ts";

export interface OutgoingMessage {
  body: string;
  attributes: Record<string, MessageAttributeValue>;
  delaySeconds?: number;
}

/**
 * SQS's SendMessageResult. The keys SQS leaves out of an answer (no attributes, no system
 * attributes, a standard queue's missing SequenceNumber) are null: API Gateway's SQS integration
 * answers its clients with every key, null where SQS had none.
 */
export interface SentMessage {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes: string | null;
  MD5OfMessageSystemAttributes: string | null;
  SequenceNumber: string | null;
}

/** A SendMessage or SendMessageBatch entry's result as SentMessage. */
export function sentMessageOf(result: {
  MessageId?: string;
  MD5OfMessageBody?: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}): SentMessage {
  return {
    MessageId: result.MessageId!,
    MD5OfMessageBody: result.MD5OfMessageBody!,
    // An emulator may answer "" where SQS leaves the key out.
    MD5OfMessageAttributes: result.MD5OfMessageAttributes || null,
    MD5OfMessageSystemAttributes: result.MD5OfMessageSystemAttributes || null,
    SequenceNumber: result.SequenceNumber || null,
  };
}

/** An SQS error as API Gateway's integration sees it: a status code and the SQS error code. */
export class QueueSendError extends Error {
  override name = "QueueSendError";
  readonly statusCode: number;
  readonly code: string;
  constructor(message: string, statusCode: number, code: string) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** SendMessageBatch allows 10 entries; a few milliseconds of waiting fills a batch under load. */
const MAX_BATCH = 10;
const BATCH_WINDOW_MS = 3;
/**
 * Larger bodies travel alone (SendMessage takes up to 1 MiB): ten entries of at most 16 KiB stay
 * far under SendMessageBatch's total payload limit (1 MiB on SQS and fauxqs 2.4.1, which answers
 * BatchRequestTooLong past it; 256 KiB before SQS raised it in 2025).
 */
const MAX_BATCHED_BODY_BYTES = 16 * 1024;

/**
 * Sends messages to one queue the way many API Gateway integrations would, one message per
 * request, but coalesces requests that arrive within a few milliseconds into SendMessageBatch
 * calls. Each request still gets its own message id or its own error. Locally this is what lets
 * one process sign and send a burst: one signed call per ten requests, not per request.
 */
export function queueSender(sqs: SqsJsonClient, queueUrl: string): (message: OutgoingMessage) => Promise<SentMessage> {
  const batches = new DataLoader<OutgoingMessage, SentMessage>(
    async (messages) => {
      const { Successful = [], Failed = [] } = await sqs.sendMessageBatch({
        QueueUrl: queueUrl,
        Entries: messages.map((message, index) => ({
          Id: String(index),
          MessageBody: message.body,
          MessageAttributes: message.attributes,
          ...(message.delaySeconds !== undefined && { DelaySeconds: message.delaySeconds }),
        })),
      });
      const results: Array<SentMessage | Error | undefined> = new Array(messages.length);
      for (const entry of Successful) {
        results[Number(entry.Id)] = sentMessageOf(entry);
      }
      for (const entry of Failed) {
        results[Number(entry.Id)] = new QueueSendError(
          entry.Message ?? entry.Code ?? "SendMessage failed",
          entry.SenderFault ? 400 : 500,
          entry.Code ?? "InternalError",
        );
      }
      // An error object per entry costs its stack trace: one is made only for an entry SQS left out.
      for (let index = 0; index < results.length; index += 1) {
        results[index] ??= new QueueSendError("SQS returned no result for the message", 500, "InternalError");
      }
      return results as Array<SentMessage | Error>;
    },
    { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (send) => setTimeout(send, BATCH_WINDOW_MS) },
  );

  return async (message) => {
    try {
      if (Buffer.byteLength(message.body) > MAX_BATCHED_BODY_BYTES) return await sendAlone(sqs, queueUrl, message);
      return await batches.load(message);
    } catch (error) {
      throw asQueueSendError(error);
    }
  };
}

async function sendAlone(sqs: SqsJsonClient, queueUrl: string, message: OutgoingMessage): Promise<SentMessage> {
  const result = await sqs.sendMessage({
    QueueUrl: queueUrl,
    MessageBody: message.body,
    MessageAttributes: message.attributes,
    ...(message.delaySeconds !== undefined && { DelaySeconds: message.delaySeconds }),
  });
  return sentMessageOf(result);
}

function asQueueSendError(error: unknown): QueueSendError {
  if (error instanceof QueueSendError) return error;
  const { name = "InternalError", message = String(error), $metadata } = error as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  return new QueueSendError(message, $metadata?.httpStatusCode ?? 500, name);
}
