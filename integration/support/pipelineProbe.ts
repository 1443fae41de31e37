import { ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { enqueueBodies, queueDepth, type EventSourceStats } from "../../dev/aws/index.ts";
import { eventually } from "./eventually.ts";
import type { SuiteStack } from "./suiteStack.ts";

type QueueRole = "punches" | "dlq" | "syncs" | "syncs-dlq";

/** A stored punch as a user would look it up: who delivered it, when, and through which path. */
export interface PunchRow {
  punch_id: string;
  /** The request that delivered it first; null when it reached the queue another way. */
  correlation_id: string | null;
  received_at: Date;
  persisted_at: Date;
  /** The bulk sync that stored it; null for a live punch. */
  sync_id: string | null;
}

/** What a suite looks at from the outside: queue depths, DLQ contents, rows. */
export interface PipelineProbe {
  sqs: SQSClient;
  punchesQueueName: string;
  punchesQueueUrl: string;
  deadLetterQueueUrl: string;
  /** Visible plus in-flight messages. */
  depth(queue: QueueRole): Promise<number>;
  urlOf(queue: QueueRole): string;
  rowsFor(punchIds: string[]): Promise<PunchRow[]>;
  /** Rows a bulk sync stored as its own. */
  rowsOfSync(syncId: string): Promise<number>;
  /** The event source mapping that drains a queue: records received, deleted, failed. */
  consumerOf(queue: "punches" | "syncs"): Promise<EventSourceStats>;
  /**
   * consumerOf once every record it received is deleted or failed and none is in flight: a batch's
   * delete lands after its rows are committed, so counting from a snapshot taken as soon as rows
   * appear would count that delete too.
   */
  settledConsumerOf(queue: "punches" | "syncs"): Promise<EventSourceStats>;
  /** Sends bodies straight to the punches queue, as another producer would. */
  enqueue(bodies: string[]): Promise<void>;
  /** Up to ten messages of a dead-letter queue, with their attributes; they become visible again. */
  receiveDeadLetters(queue?: "dlq" | "syncs-dlq"): Promise<Message[]>;
  destroy(): void;
}

export function pipelineProbe({ stack, db }: SuiteStack): PipelineProbe {
  const columns = "punch_id, correlation_id, received_at, persisted_at, sync_id";
  const sqs = new SQSClient(stack.clientConfig);
  const punches = stack.queues.find((queue) => queue.logicalId === "PunchesQueue")!;
  const deadLetters = stack.queues.find((queue) => queue.logicalId === punches.deadLetterQueueLogicalId)!;
  const syncs = stack.queues.find((queue) => queue.logicalId === "SyncsQueue");
  const syncDeadLetters = stack.queues.find((queue) => queue.logicalId === syncs?.deadLetterQueueLogicalId);
  const urlOf = (queue: QueueRole) => {
    const url = { punches: punches.url, dlq: deadLetters.url, syncs: syncs?.url, "syncs-dlq": syncDeadLetters?.url }[queue];
    if (!url) throw new Error(`this service has no ${queue} queue`);
    return url;
  };

  return {
    sqs,
    punchesQueueName: punches.name,
    punchesQueueUrl: punches.url,
    deadLetterQueueUrl: deadLetters.url,
    depth: (queue) => messagesIn(sqs, urlOf(queue)),
    urlOf,
    async rowsFor(punchIds) {
      const { rows } = await db.query<PunchRow>(`SELECT ${columns} FROM punches WHERE punch_id = ANY($1::uuid[])`, [punchIds]);
      return rows;
    },
    async rowsOfSync(syncId) {
      const { rows } = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM punches WHERE sync_id = $1", [syncId]);
      return rows[0]!.count;
    },
    async consumerOf(queue) {
      const name = queue === "punches" ? punches.name : syncs?.name;
      const source = (await stack.status()).eventSources.find((candidate) => candidate.queue === name);
      if (!source) throw new Error(`no event source drains the ${queue} queue`);
      return source;
    },
    settledConsumerOf(queue) {
      return eventually(
        () => this.consumerOf(queue),
        (consumer) => consumer.inFlightBatches === 0 && consumer.deleted + consumer.failedRecords === consumer.records,
        { what: `the ${queue} consumer to settle` },
      );
    },
    enqueue: (bodies) => enqueueBodies(sqs, punches.url, bodies),
    async receiveDeadLetters(queue = "dlq") {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: urlOf(queue),
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        }),
      );
      return Messages;
    },
    destroy: () => sqs.destroy(),
  };
}

/** Messages in a queue, visible or in flight. */
export async function messagesIn(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { visible, inFlight } = await queueDepth(sqs, queueUrl);
  return visible + inFlight;
}

/** Runs `task` for each item with at most `concurrency` in flight: concurrent clients. */
export async function withConcurrency<T, R>(items: T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!);
      }
    }),
  );
  return results;
}
