/**
 * One Lambda execution environment: a worker thread with its own module graph, so module-level
 * state (the pg pool, SDK clients) lives once per container, as on AWS. It loads the handler at
 * start (the cold start) and then runs one invocation at a time, calling it as the function's
 * Node.js runtime would (lambda/nodeRuntimes.ts).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import type { ContainerSettings, FunctionError, InvocationReply, InvocationRequest } from "./containerProtocol.ts";
import { resolveAsLambdaDoes } from "./handlerResolution.ts";
import { containerLogStreamName, invocationContext } from "./invocationContext.ts";

type Handler = (event: unknown, context: unknown, callback?: (error: unknown, result?: unknown) => void) => unknown;

const settings = workerData as ContainerSettings;
const port = parentPort!;
const logStreamName = containerLogStreamName(new Date(), randomBytes(16).toString("hex"));
process.env.AWS_LAMBDA_LOG_STREAM_NAME = logStreamName;

resolveAsLambdaDoes(import.meta.url, settings.packageRoot);
const handlerModule = (await import(pathToFileURL(settings.modulePath).href)) as Record<string, unknown>;
const handler = handlerModule[settings.exportName] as Handler;
if (typeof handler !== "function") {
  throw new Error(`${settings.modulePath} does not export a function named "${settings.exportName}"`);
}
// The interface client of nodejs24.x and later counts the declared parameters, async or not
// (aws/aws-lambda-nodejs-runtime-interface-client, src/utils/callback-error.ts, its message from src/context/constants.ts).
if (!settings.runtime.callbackHandlers && handler.length >= 3) {
  throw Object.assign(
    new Error(
      "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to " +
        `modify this function to use a supported handler signature to use Node.js 24 or later (${settings.runtime.runtime}: ` +
        `${settings.exportName} declares ${handler.length} parameters; make it async (event, context)). For more information see ` +
        "https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.",
    ),
    { name: "Runtime.CallbackHandlerDeprecated" },
  );
}

port.on("message", async ({ invocationId, event: eventJson, deadline }: InvocationRequest) => {
  // The runtime sends the event as JSON text, as Lambda's runtime API does.
  const outcome = await invoke(JSON.parse(eventJson as string), deadline);
  let reply: InvocationReply;
  try {
    reply = outcome.ok ? { invocationId, ok: true, payload: JSON.stringify(outcome.payload) ?? "null" } : { invocationId, ok: false, error: outcome.error };
  } catch (error) {
    // As the interface client names it (src/utils/errors.ts).
    reply = { invocationId, ok: false, error: { errorType: "Runtime.JSONStringifyError", errorMessage: `Unable to stringify response body: ${String(error)}`, stack: [] } };
  }
  port.postMessage(reply);
});

port.postMessage({ ready: true });

/**
 * One invocation. The answer is the promise's result, or what the callback or context.done/succeed/fail
 * give, whichever comes first. On the runtimes with callbacks a handler that returns no promise and
 * declares no callback answers null, as there once the event loop is empty (here: once the handler's
 * synchronous work is done); from nodejs24.x its return value is the answer.
 */
function invoke(event: unknown, deadline: number): Promise<{ ok: true; payload: unknown } | { ok: false; error: FunctionError }> {
  return new Promise((resolve) => {
    let answered = false;
    const finish = (error: unknown, result?: unknown) => {
      if (answered) return;
      answered = true;
      resolve(error === null || error === undefined ? { ok: true, payload: result } : { ok: false, error: functionError(error) });
    };
    const context = invocationContext({
      functionName: settings.functionName,
      functionArn: settings.functionArn,
      memoryMegabytes: settings.memoryMegabytes,
      awsRequestId: randomUUID(),
      logStreamName,
      deadline,
      rules: settings.runtime,
      finish,
    });
    try {
      const result = settings.runtime.callbackHandlers ? handler(event, context, finish) : handler(event, context);
      if (isPromise(result)) result.then((value) => finish(null, value), (error: unknown) => finish(error ?? new Error("the promise was rejected without a reason")));
      else if (!settings.runtime.callbackHandlers) finish(null, result);
      else if (handler.length < 3) setImmediate(() => finish(null, null));
    } catch (error) {
      finish(error);
    }
  });
}

const isPromise = (value: unknown): value is Promise<unknown> => typeof (value as { then?: unknown } | null)?.then === "function";

/** As Lambda reports an error: an Error's name and message, a string as errorType "string". */
function functionError(error: unknown): FunctionError {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message, stack: (error.stack ?? "").split("\n") };
  if (typeof error === "string") return { errorType: "string", errorMessage: error, stack: [] };
  return { errorType: typeof error, errorMessage: JSON.stringify(error) ?? String(error), stack: [] };
}
