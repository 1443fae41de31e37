import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { SQSHandler, SQSRecord } from "aws-lambda";
import { deadLetterSender } from "../adapters/deadLetterQueue.ts";
import { databasePool } from "../adapters/postgres.ts";
import { putResult, readBacklog } from "../adapters/syncBucket.ts";
import { recordFailedSync, storeSync } from "../adapters/syncRepository.ts";
import { syncConsumerConfigFromEnv } from "../config.ts";
import { settleSync, type SettleSyncPorts } from "../domain/settleSync.ts";
import { logger } from "../logger.ts";

// Read at init: a missing setting fails the container's start, naming the variable.
const config = syncConsumerConfigFromEnv();
const park = deadLetterSender(config.deadLetterQueueUrl);
const ports: SettleSyncPorts = {
  readBacklog,
  store: (claimCheck, backlog, startedAt) => storeSync(databasePool(config.database), claimCheck, backlog, startedAt),
  publish: putResult,
  async recordFailure(bucket, result) {
    // The bucket first and apart: the database may be the very reason the sync failed.
    const outcomes = await Promise.allSettled([putResult(bucket, result), recordFailedSync(databasePool(config.database), result)]);
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") logger.warn("could not record the failed sync", { syncId: result.syncId, error: String(outcome.reason) });
    }
  },
  park: (body, reason) => park({ body, reason, receivedAt: new Date().toISOString() }),
};
const processor = new BatchProcessor(EventType.SQS);

async function settleRecord(record: SQSRecord): Promise<void> {
  const outcome = await settleSync(
    { body: record.body, receiveCount: Number(record.attributes.ApproximateReceiveCount), maxReceiveCount: config.maxReceiveCount },
    ports,
  );
  if (outcome.settled === "done") {
    logger.info("sync settled", { syncId: outcome.result.syncId, counts: outcome.result.counts });
  } else {
    logger.warn("sync parked in the dead-letter queue", { messageId: record.messageId, reason: outcome.reason });
  }
}

/** Drains the syncs queue: each claim check names one offline clock's backlog in the sync bucket. */
export const handler: SQSHandler = (event, context) => processPartialResponse(event, settleRecord, processor, { context });
