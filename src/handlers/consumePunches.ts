import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { SQSHandler, SQSRecord } from "aws-lambda";
import { deadLetterSender } from "../adapters/deadLetterQueue.ts";
import { coalescingPunchStore } from "../adapters/punchStore.ts";
import { consumerConfigFromEnv } from "../config.ts";
import { recordPunch, type PunchMessage, type RecordPunchPorts } from "../domain/recordPunch.ts";
import { logger } from "../logger.ts";

// Read at init: a missing setting fails the container's start, naming the variable.
const config = consumerConfigFromEnv();
const park = deadLetterSender(config.deadLetterQueueUrl);
const ports: RecordPunchPorts = {
  store: coalescingPunchStore(config.database),
  reject: (message, reason) => park({ ...message, reason }),
};
const processor = new BatchProcessor(EventType.SQS);

async function recordPunchRecord(record: SQSRecord): Promise<void> {
  const message = punchMessageOf(record);
  const outcome = await recordPunch(message, ports);
  logger.debug("punch recorded", { outcome, correlationId: message.correlationId, messageId: record.messageId });
  if (outcome === "rejected") {
    logger.warn("punch rejected to the dead-letter queue", {
      correlationId: message.correlationId,
      messageId: record.messageId,
    });
  }
}

function punchMessageOf(record: SQSRecord): PunchMessage {
  const correlationId = record.messageAttributes.correlationId?.stringValue;
  const clockId = record.messageAttributes.clientId?.stringValue;
  return {
    body: record.body,
    receivedAt: new Date(Number(record.attributes.SentTimestamp)).toISOString(),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(clockId === undefined || clockId === "" ? {} : { clockId }),
  };
}

/** Drains the punches queue; each failed record is reported alone, so the queue retries only it. */
export const handler: SQSHandler = (event, context) =>
  processPartialResponse(event, recordPunchRecord, processor, { context });
