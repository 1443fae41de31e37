import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cpuSecondsOf } from "../aws/console/processTree.ts";
import { devNodeFlags } from "../commands/process/devNodeFlags.ts";
import { stopChild, waitForOutput } from "../commands/process/childProcess.ts";
import { fireBurst, type RequestBurst } from "./requestBurst.ts";

const NULL_API = fileURLToPath(new URL("./nullApi.ts", import.meta.url));

/** The same burst against a server that does no work: this machine's floor for each figure. */
export interface IngestCeiling {
  requestsPerSecond: number;
  /** From the first request to the last answer. */
  seconds: number;
  /** The null server's own CPU for the burst: what Node's HTTP server alone costs here. */
  cpuSeconds: number;
}

/**
 * The same burst against a server doing no work (nullApi.ts, in its own process with `npm run
 * dev`'s Node flags, as the stack runs): what this machine's HTTP stack and load generator alone
 * allow, so the stack's ingest, burst time and CPU read against their floor here, in the same run.
 */
export async function ingestCeiling(burst: Omit<RequestBurst, "url" | "onResponse" | "onAnswer">): Promise<IngestCeiling> {
  const server = spawn(process.execPath, [...devNodeFlags(), NULL_API], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const port = /listening on (\d+)/.exec(await waitForOutput(server, /listening on \d+/, "the null API"))![1];
    let answered = 0;
    const cpuAtStart = await cpuSecondsOf(server.pid!);
    const startedAt = performance.now();
    await fireBurst({
      ...burst,
      url: `http://127.0.0.1:${port}`,
      onResponse: (statusCode) => {
        if (statusCode === 202) answered += 1;
      },
    });
    const seconds = (performance.now() - startedAt) / 1000;
    const cpuSeconds = (await cpuSecondsOf(server.pid!)) - cpuAtStart;
    if (answered !== burst.bodies.length) throw new Error(`the null API answered ${answered} of ${burst.bodies.length} requests with 202`);
    return { requestsPerSecond: Math.round(burst.bodies.length / seconds), seconds, cpuSeconds };
  } finally {
    await stopChild(server);
  }
}
