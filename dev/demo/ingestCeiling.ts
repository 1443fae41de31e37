import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { devNodeFlags } from "../commands/process/devNodeFlags.ts";
import { stopChild, waitForOutput } from "../commands/process/childProcess.ts";
import { fireBurst, type RequestBurst } from "./requestBurst.ts";

const NULL_API = fileURLToPath(new URL("./nullApi.ts", import.meta.url));

/**
 * Requests a second that the same burst reaches against a server doing no work (nullApi.ts, in
 * its own process with `npm run dev`'s Node flags, as the stack runs): what this machine's HTTP
 * stack and load generator alone allow, so an ingest figure reads against its ceiling here.
 */
export async function ingestCeiling(burst: Omit<RequestBurst, "url" | "onResponse" | "onAnswer">): Promise<number> {
  const server = spawn(process.execPath, [...devNodeFlags(), NULL_API], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const port = /listening on (\d+)/.exec(await waitForOutput(server, /listening on \d+/, "the null API"))![1];
    let answered = 0;
    const startedAt = performance.now();
    await fireBurst({
      ...burst,
      url: `http://127.0.0.1:${port}`,
      onResponse: (statusCode) => {
        if (statusCode === 202) answered += 1;
      },
    });
    const seconds = (performance.now() - startedAt) / 1000;
    if (answered !== burst.bodies.length) throw new Error(`the null API answered ${answered} of ${burst.bodies.length} requests with 202`);
    return Math.round(burst.bodies.length / seconds);
  } finally {
    await stopChild(server);
  }
}
