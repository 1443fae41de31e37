import type { SQSClient } from "@aws-sdk/client-sqs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ProvisionedQueue } from "../sqs/provisionQueues.ts";
import {
  deleteDeadLetter,
  peekDeadLetters,
  PEEK_VISIBILITY_SECONDS,
  redriveDeadLetter,
  redriveDeadLetters,
  type DeadLetterMessage,
} from "../sqs/redriveDeadLetters.ts";

export interface DeadLetterSources {
  sqs: SQSClient;
  queues: readonly ProvisionedQueue[];
}

/**
 * The console's dead-letter queues: GET /_local/dead-letters lists each source queue's dead
 * letters; POST …/redrive moves one (messageId) or all back to the source, POST …/delete removes
 * one. Each answer is JSON.
 *
 * @example
 * const deadLetters = deadLetterEndpoints({ sqs, queues });
 * await deadLetters.handle(request, response, url); // false when the path is not one of these
 */
export function deadLetterEndpoints(sources: DeadLetterSources): { handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> } {
  const readDeadLetters = serialisedReads(sources.sqs);
  const deadLetterQueueOf = (sourceName: unknown) => {
    const source = sources.queues.find((queue) => queue.name === sourceName && queue.deadLetterQueueLogicalId);
    const deadLetterQueue = source && sources.queues.find((queue) => queue.logicalId === source.deadLetterQueueLogicalId);
    return source && deadLetterQueue ? { source, deadLetterQueue } : undefined;
  };

  return {
    async handle(request, response, { pathname }) {
      if (request.method === "GET" && pathname === "/_local/dead-letters") {
        const queues = sources.queues.filter((queue) => queue.deadLetterQueueLogicalId);
        const listed = await Promise.all(
          queues.map(async (source) => {
            const { deadLetterQueue } = deadLetterQueueOf(source.name)!;
            return { queue: source.name, deadLetterQueue: deadLetterQueue.name, messages: await readDeadLetters(deadLetterQueue.url) };
          }),
        );
        return sendJson(response, 200, listed);
      }
      if (request.method !== "POST" || (pathname !== "/_local/dead-letters/redrive" && pathname !== "/_local/dead-letters/delete")) return false;
      const body = (await readJson(request)) as { queue?: unknown; messageId?: unknown } | undefined;
      const queues = deadLetterQueueOf(body?.queue);
      if (!queues) return sendJson(response, 400, { message: `no queue with a dead-letter queue named ${String(body?.queue)}` });
      const messageId = typeof body?.messageId === "string" ? body.messageId : undefined;
      const { source, deadLetterQueue } = queues;
      if (pathname.endsWith("/delete")) {
        if (!messageId) return sendJson(response, 400, { message: "delete takes one messageId" });
        const deleted = await deleteDeadLetter(sources.sqs, deadLetterQueue.url, messageId);
        return sendJson(response, deleted ? 200 : 404, { deleted: deleted ? 1 : 0 });
      }
      const moved = messageId
        ? Number(await redriveDeadLetter(sources.sqs, deadLetterQueue.url, source.url, messageId))
        : await redriveDeadLetters(sources.sqs, deadLetterQueue.url, source.url);
      return sendJson(response, messageId && moved === 0 ? 404 : 200, { moved });
    },
  };
}

/**
 * A read hides what it read for PEEK_VISIBILITY_SECONDS: the next read of that queue waits until
 * they are back, or it would list them as gone.
 */
function serialisedReads(sqs: SQSClient): (queueUrl: string) => Promise<DeadLetterMessage[]> {
  const reads = new Map<string, Promise<{ messages: DeadLetterMessage[]; visibleAgainAt: number }>>();
  return (queueUrl) => {
    const read = (reads.get(queueUrl) ?? Promise.resolve({ messages: [], visibleAgainAt: 0 })).then(async ({ messages, visibleAgainAt }) => {
      if (messages.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(0, visibleAgainAt - Date.now())));
      const read = await peekDeadLetters(sqs, queueUrl);
      return { messages: read, visibleAgainAt: Date.now() + PEEK_VISIBILITY_SECONDS * 1_000 + 100 };
    });
    reads.set(queueUrl, read.catch(() => ({ messages: [], visibleAgainAt: 0 })));
    return read.then(({ messages }) => messages);
  };
}

/** Answers with JSON, never cached; true, so a handler can `return sendJson(…)`. */
export function sendJson(response: ServerResponse, statusCode: number, body: unknown): true {
  response.writeHead(statusCode, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(JSON.stringify(body));
  return true;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}
