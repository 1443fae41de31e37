import { ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { enqueueBodies, queueDepth } from "../../dev/aws/index.ts";
import type { SuiteStack } from "./suiteStack.ts";

type QueueRole = "punches" | "dlq" | "syncs" | "syncs-dlq";

/** What a suite looks at from the outside: queue depths, DLQ contents, rows. */
export interface PipelineProbe {
  sqs: SQSClient;
  punchesQueueName: string;
  punchesQueueUrl: string;
  deadLetterQueueUrl: string;
  /** Visible plus in-flight messages. */
  depth(queue: QueueRole): Promise<number>;
  urlOf(queue: QueueRole): string;
  rowsFor(punchIds: string[]): Promise<Array<{ punch_id: string; correlation_id: string | null }>>;
  /** Rows for these punches, and how many distinct: equal unless a punch was stored twice. */
  rowCounts(punchIds: string[]): Promise<{ total: number; distinct: number }>;
  /** Sends bodies straight to the punches queue, as another producer would. */
  enqueue(bodies: string[]): Promise<void>;
  /** Up to ten messages of a dead-letter queue, with their attributes; they become visible again. */
  receiveDeadLetters(queue?: "dlq" | "syncs-dlq"): Promise<Message[]>;
  destroy(): void;
}

export function pipelineProbe({ stack, db }: SuiteStack): PipelineProbe {
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
      const { rows } = await db.query<{ punch_id: string; correlation_id: string | null }>(
        "SELECT punch_id, correlation_id FROM punches WHERE punch_id = ANY($1::uuid[])",
        [punchIds],
      );
      return rows;
    },
    async rowCounts(punchIds) {
      const { rows } = await db.query<{ total: number; distinct: number }>(
        "SELECT count(*)::int AS total, count(DISTINCT punch_id)::int AS distinct FROM punches WHERE punch_id = ANY($1::uuid[])",
        [punchIds],
      );
      return rows[0]!;
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
