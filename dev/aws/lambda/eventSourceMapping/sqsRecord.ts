import type { Message } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";

/*
 * "Lambda passes all of the records in the batch to the function in a single call, up to the
 * payload limit for synchronous invocation (6 MB)" (BatchSize, in
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html): the records past
 * it wait for a later batch.
 */
export const MAX_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** Where the records come from: the queue's ARN and region, and the account Lambda's pollers send as. */
export interface RecordSource {
  queueArn: string;
  region: string;
  accountId: string;
}

/**
 * A received message as Lambda hands it to the function: the record of an SQS event, in the
 * shape of AWS's example event (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
 *
 * @example
 * const event = { Records: messages.map((message) => toSqsRecord(message, source)) };
 */
export function toSqsRecord(message: Message, source: RecordSource, now = Date.now()): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? String(now),
      SenderId: attributes.SenderId ?? source.accountId,
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(now),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        // In the order of AWS's example event: the value, the (unused) lists, the type.
        {
          ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
          ...(value.BinaryValue !== undefined && { binaryValue: Buffer.from(value.BinaryValue).toString("base64") }),
          stringListValues: [],
          binaryListValues: [],
          dataType: value.DataType ?? "String",
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
}

/**
 * The received messages cut into invocations of at most 6 MB of records each (always at least
 * one record), in order: a batch past the payload limit is delivered in part, and the rest follows
 * in a later invocation.
 *
 * @example
 * payloadSizedBatches(messages, source); // [[m1, m2], [m3]] when m3 would take the event past 6 MB
 */
export function payloadSizedBatches(messages: readonly Message[], source: RecordSource, limitBytes = MAX_INVOCATION_PAYLOAD_BYTES): Message[][] {
  const batches: Message[][] = [];
  // The event is {"Records":[r1,r2,…]}: its size is the records' JSON, their commas and the envelope.
  const envelopeBytes = Buffer.byteLength('{"Records":[]}');
  let batch: Message[] = [];
  let payloadBytes = envelopeBytes;
  for (const message of messages) {
    const recordBytes = Buffer.byteLength(JSON.stringify(toSqsRecord(message, source)));
    // Each record after the first also costs its comma.
    if (batch.length > 0 && payloadBytes + 1 + recordBytes > limitBytes) {
      batches.push(batch);
      batch = [];
      payloadBytes = envelopeBytes;
    }
    payloadBytes += recordBytes + (batch.length > 0 ? 1 : 0);
    batch.push(message);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
