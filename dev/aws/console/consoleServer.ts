import { createChannel, createSession } from "better-sse";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LogEntry } from "../lambda/invocationHistory.ts";
import { deadLetterEndpoints, sendJson, type DeadLetterSources } from "./deadLetterEndpoints.ts";
import { PipelineSampler, type SamplerSources } from "./pipelineSampler.ts";
import { traceOf, type TraceSources } from "./trace.ts";

/** What the console reads and acts on; the running stack (stack/startLocalAws.ts) gathers it. */
export interface ConsoleSources extends SamplerSources, TraceSources, DeadLetterSources {}

export interface LocalConsole {
  /** Serves /_local/… (page, assets, events, actions); false when the path is not the console's. */
  handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean>;
  stop(): void;
}

const ASSETS: Record<string, { file: string; type: string }> = {
  "/_local/": { file: join(dirname(fileURLToPath(import.meta.url)), "page.html"), type: "text/html; charset=utf-8" },
  "/_local/console.js": { file: join(dirname(fileURLToPath(import.meta.url)), "console.js"), type: "text/javascript; charset=utf-8" },
  "/_local/dom.js": { file: join(dirname(fileURLToPath(import.meta.url)), "dom.js"), type: "text/javascript; charset=utf-8" },
  "/_local/pipelineView.js": { file: join(dirname(fileURLToPath(import.meta.url)), "pipelineView.js"), type: "text/javascript; charset=utf-8" },
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

  const deadLetters = deadLetterEndpoints(sources);

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
        if (!term) return sendJson(response, 400, { message: "give a request id, a message id or an id the body holds: ?q=…" });
        return sendJson(response, 200, await traceOf(term, sources));
      }
      return deadLetters.handle(request, response, url);
    },
    stop() {
      sampler.stop();
    },
  };
}
