import type { SQSClient } from "@aws-sdk/client-sqs";
import { createChannel, createSession } from "better-sse";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LogEntry } from "../lambda/invocationHistory.ts";
import type { ProvisionedQueue } from "../sqs/provisionQueues.ts";
import {
  deleteDeadLetter,
  peekDeadLetters,
  PEEK_VISIBILITY_SECONDS,
  redriveDeadLetter,
  redriveDeadLetters,
  type DeadLetterMessage,
} from "../sqs/redriveDeadLetters.ts";
import { PipelineSampler, type SamplerSources } from "./pipelineSampler.ts";
import { traceOf, type TraceSources } from "./trace.ts";

/** What the console reads and acts on; localAws.ts gathers it. */
export interface ConsoleSources extends SamplerSources, TraceSources {
  sqs: SQSClient;
  queues: readonly ProvisionedQueue[];
}

export interface LocalConsole {
  /** Serves /_local/… (page, assets, events, actions); false when the path is not the console's. */
  handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean>;
  stop(): void;
}

const ASSETS: Record<string, { file: string; type: string }> = {
  "/_local/": { file: join(dirname(fileURLToPath(import.meta.url)), "page.html"), type: "text/html; charset=utf-8" },
  "/_local/console.js": { file: join(dirname(fileURLToPath(import.meta.url)), "console.js"), type: "text/javascript; charset=utf-8" },
  "/_local/console.css": { file: join(dirname(fileURLToPath(import.meta.url)), "console.css"), type: "text/css; charset=utf-8" },
  // Chart.js's own UMD build, as the package ships it: no bundling step for the page.
  "/_local/chart.umd.min.js": {
    file: join(dirname(createRequire(import.meta.url).resolve("chart.js")), "chart.umd.min.js"),
    type: "text/javascript; charset=utf-8",
  },
};
const LOG_LINES_ON_CONNECT = 500;
const LOG_LINES_PER_TICK = 300;

/**
 * The local console under /_local/: a page that draws the stack's pipeline from the template
 * (routes → queues → event sources → functions → database) with live figures, charts of the last
 * minutes, the dead-letter queues (redrive or delete a message), a trace of one request and the
 * functions' log lines. Figures go out once a second as server-sent events (better-sse), taken
 * from the same status as GET /_local/status. Sampling starts with the first page, so a stack
 * nobody looks at pays nothing for it.
 *
 * @example
 * const console = localConsole(sources);
 * startHttpApi({ …, localHandler: console.handle });
 */
export function localConsole(sources: ConsoleSources): LocalConsole {
  const sampler = new PipelineSampler(sources);
  const channel = createChannel();
  let lastLogSeq = 0;

  const recentLogs = (after: number, limit: number): LogEntry[] =>
    sources.functions
      .flatMap((runtime) => runtime.history.logs.values().filter((entry) => entry.seq > after))
      .sort((a, b) => a.seq - b.seq)
      .slice(-limit);

  sampler.onSample = (sample, status) => {
    const logs = recentLogs(lastLogSeq, LOG_LINES_PER_TICK);
    lastLogSeq = Math.max(lastLogSeq, ...logs.map((entry) => entry.seq));
    channel.broadcast({ status, sample, logs }, "tick");
  };

  // A read hides what it read for PEEK_VISIBILITY_SECONDS: the next read of that queue waits
  // until they are back, or it would list them as gone.
  const reads = new Map<string, Promise<{ messages: DeadLetterMessage[]; visibleAgainAt: number }>>();
  const readDeadLetters = (queueUrl: string): Promise<DeadLetterMessage[]> => {
    const read = (reads.get(queueUrl) ?? Promise.resolve({ messages: [], visibleAgainAt: 0 })).then(async ({ messages, visibleAgainAt }) => {
      if (messages.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(0, visibleAgainAt - Date.now())));
      const read = await peekDeadLetters(sources.sqs, queueUrl);
      return { messages: read, visibleAgainAt: Date.now() + PEEK_VISIBILITY_SECONDS * 1_000 + 100 };
    });
    reads.set(queueUrl, read.catch(() => ({ messages: [], visibleAgainAt: 0 })));
    return read.then(({ messages }) => messages);
  };

  const json = (response: ServerResponse, statusCode: number, body: unknown) => {
    response.writeHead(statusCode, { "content-type": "application/json", "cache-control": "no-store" });
    response.end(JSON.stringify(body));
  };

  const deadLetterQueueOf = (sourceName: unknown) => {
    const source = sources.queues.find((queue) => queue.name === sourceName && queue.deadLetterQueueLogicalId);
    const deadLetterQueue = source && sources.queues.find((queue) => queue.logicalId === source.deadLetterQueueLogicalId);
    return source && deadLetterQueue ? { source, deadLetterQueue } : undefined;
  };

  return {
    async handle(request, response, url) {
      const { pathname } = url;
      if (request.method === "GET" && ASSETS[pathname]) {
        const asset = ASSETS[pathname]!;
        response.writeHead(200, { "content-type": asset.type, "cache-control": "no-cache" });
        response.end(await readFile(asset.file));
        return true;
      }
      if (request.method === "GET" && pathname === "/_local/events") {
        sampler.start();
        const session = await createSession(request, response, { keepAlive: 15_000 });
        session.push(
          { pipeline: sources.pipeline, samples: sampler.samples(), status: sampler.latestStatus, logs: recentLogs(0, LOG_LINES_ON_CONNECT) },
          "hello",
        );
        channel.register(session);
        return true;
      }
      if (request.method === "GET" && pathname === "/_local/trace") {
        const term = (url.searchParams.get("q") ?? "").trim();
        if (!term) return json(response, 400, { message: "give a request id, a message id or an id the body holds: ?q=…" }), true;
        json(response, 200, await traceOf(term, sources));
        return true;
      }
      if (request.method === "GET" && pathname === "/_local/dead-letters") {
        const queues = sources.queues.filter((queue) => queue.deadLetterQueueLogicalId);
        const listed = await Promise.all(
          queues.map(async (source) => {
            const { deadLetterQueue } = deadLetterQueueOf(source.name)!;
            return { queue: source.name, deadLetterQueue: deadLetterQueue.name, messages: await readDeadLetters(deadLetterQueue.url) };
          }),
        );
        json(response, 200, listed);
        return true;
      }
      if (request.method === "POST" && (pathname === "/_local/dead-letters/redrive" || pathname === "/_local/dead-letters/delete")) {
        const body = (await readJson(request)) as { queue?: unknown; messageId?: unknown } | undefined;
        const queues = deadLetterQueueOf(body?.queue);
        if (!queues) return json(response, 400, { message: `no queue with a dead-letter queue named ${String(body?.queue)}` }), true;
        const messageId = typeof body?.messageId === "string" ? body.messageId : undefined;
        const { source, deadLetterQueue } = queues;
        if (pathname.endsWith("/delete")) {
          if (!messageId) return json(response, 400, { message: "delete takes one messageId" }), true;
          const deleted = await deleteDeadLetter(sources.sqs, deadLetterQueue.url, messageId);
          return json(response, deleted ? 200 : 404, { deleted: deleted ? 1 : 0 }), true;
        }
        const moved = messageId
          ? Number(await redriveDeadLetter(sources.sqs, deadLetterQueue.url, source.url, messageId))
          : await redriveDeadLetters(sources.sqs, deadLetterQueue.url, source.url);
        json(response, messageId && moved === 0 ? 404 : 200, { moved });
        return true;
      }
      return false;
    },
    stop() {
      sampler.stop();
    },
  };
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
