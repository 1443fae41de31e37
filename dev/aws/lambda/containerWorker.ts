/**
 * One Lambda execution environment: a worker thread with its own module graph, so module-level
 * state (the pg pool, SDK clients) lives once per container, as on AWS. It loads the handler at
 * start (the cold start) and then runs one invocation at a time.
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import type { ContainerSettings, InvocationReply, InvocationRequest } from "./containerProtocol.ts";

const settings = workerData as ContainerSettings;
const port = parentPort!;

const handlerModule = (await import(pathToFileURL(settings.modulePath).href)) as Record<string, unknown>;
const handler = handlerModule[settings.exportName];
if (typeof handler !== "function") {
  throw new Error(`${settings.modulePath} does not export a function named "${settings.exportName}"`);
}

port.on("message", async ({ invocationId, event: eventJson, deadline }: InvocationRequest) => {
  // The runtime sends the event as JSON text, as Lambda's runtime API does.
  const event: unknown = JSON.parse(eventJson as string);
  const context = {
    functionName: settings.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: settings.functionArn,
    memoryLimitInMB: String(settings.memoryMegabytes),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${settings.functionName}`,
    logStreamName: `local/${settings.functionName}/${process.pid}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let reply: InvocationReply;
  try {
    reply = { invocationId, ok: true, payload: await (handler as (event: unknown, context: unknown) => unknown)(event, context) };
  } catch (error) {
    const { name = "Error", message = String(error), stack = "" } = error instanceof Error ? error : {};
    reply = { invocationId, ok: false, error: { errorType: name, errorMessage: message, stack: stack.split("\n") } };
  }
  port.postMessage(reply);
});

port.postMessage({ ready: true });
