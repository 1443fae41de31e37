import { parseClaimCheck, sortBacklog, UnrecoverableSyncError, type ClaimCheck, type SortedBacklog, type SyncResult } from "./syncBacklog.ts";

/** One delivery of a claim-check message. */
export interface ClaimCheckDelivery {
  body: string;
  /** SQS's ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
  /** The queue's maxReceiveCount: after that delivery SQS moves the message to the DLQ. */
  maxReceiveCount: number;
}

export interface SettleSyncPorts {
  readBacklog(bucket: string, key: string): Promise<string>;
  /** Stores the accepted punches and the outcome at once; a sync already done keeps its outcome. */
  store(claimCheck: ClaimCheck, backlog: SortedBacklog, startedAt: string): Promise<SyncResult>;
  /** Leaves the outcome in the bucket, for the sender to fetch. */
  publish(bucket: string, result: SyncResult): Promise<void>;
  /** Marks the sync failed where its status is read; best effort, the cause may be the database. */
  recordFailure(bucket: string, result: SyncResult): Promise<void>;
  /** Puts a message no retry can fix in the DLQ at once, with the reason. */
  park(body: string, reason: string): Promise<void>;
}

export type SettleOutcome = { settled: "done"; result: SyncResult } | { settled: "parked"; reason: string };

/**
 * Settles one claim check: fetch the backlog, check each punch, store the good ones and the
 * outcome, publish the outcome. A claim check or backlog that can never work is marked failed
 * and parked at once. Any other error is thrown so the queue retries; on the last delivery the
 * sync is first marked failed, because SQS then moves it to the DLQ without telling anyone.
 *
 * @example
 * await settleSync({ body, receiveCount: 1, maxReceiveCount: 3 }, ports); // { settled: "done", result }
 */
export async function settleSync(delivery: ClaimCheckDelivery, ports: SettleSyncPorts): Promise<SettleOutcome> {
  const startedAt = new Date().toISOString();
  let claimCheck: ClaimCheck | undefined;
  try {
    claimCheck = parseClaimCheck(delivery.body);
    const backlog = sortBacklog(await ports.readBacklog(claimCheck.bucket, claimCheck.key), claimCheck);
    const result = await ports.store(claimCheck, backlog, startedAt);
    await ports.publish(claimCheck.bucket, result);
    return { settled: "done", result };
  } catch (error) {
    const reason = (error as Error).message;
    if (error instanceof UnrecoverableSyncError) {
      if (claimCheck) await ports.recordFailure(claimCheck.bucket, failedResult(claimCheck, startedAt, reason));
      await ports.park(delivery.body, reason);
      return { settled: "parked", reason };
    }
    if (claimCheck && delivery.receiveCount >= delivery.maxReceiveCount) {
      const finalReason = `gave up after ${delivery.receiveCount} deliveries; last error: ${reason}`;
      await ports.recordFailure(claimCheck.bucket, failedResult(claimCheck, startedAt, finalReason));
    }
    throw error;
  }
}

function failedResult(claimCheck: ClaimCheck, startedAt: string, reason: string): SyncResult {
  return {
    syncId: claimCheck.syncId,
    deviceId: claimCheck.deviceId,
    ...(claimCheck.clockId !== undefined && { clockId: claimCheck.clockId }),
    status: "failed",
    counts: { received: claimCheck.count, accepted: 0, persisted: 0, duplicate: 0, rejected: 0 },
    rejected: [],
    failureReason: reason,
    receivedAt: claimCheck.receivedAt,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}
