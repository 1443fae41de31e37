import type { NodeRuntimeRules } from "./nodeRuntimes.ts";

export interface InvocationContextOptions {
  functionName: string;
  functionArn: string;
  memoryMegabytes: number;
  awsRequestId: string;
  /** The container's, as Lambda names one: "2024/05/01/[$LATEST]<32 hex digits>". */
  logStreamName: string;
  /** Epoch milliseconds when the function timeout ends the invocation. */
  deadline: number;
  rules: Pick<NodeRuntimeRules, "legacyContextMethods">;
  /** Called by context.done/succeed/fail, which end the invocation as its callback would. */
  finish: (error: unknown, result?: unknown) => void;
}

/**
 * The context object Lambda's Node.js runtime passes a handler
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html); on the runtimes up to
 * nodejs22.x with callbackWaitsForEmptyEventLoop and the callback-era done/succeed/fail, which the
 * nodejs24.x context no longer has (lambda/nodeRuntimes.ts).
 *
 * @example
 * const context = invocationContext({ ...options, finish: (error, result) => reply(error, result) });
 * context.getRemainingTimeInMillis(); // 5999
 */
export function invocationContext(options: InvocationContextOptions): Record<string, unknown> {
  const context: Record<string, unknown> = {
    functionName: options.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: options.functionArn,
    memoryLimitInMB: String(options.memoryMegabytes),
    awsRequestId: options.awsRequestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: options.logStreamName,
    clientContext: undefined,
    identity: undefined,
    getRemainingTimeInMillis: () => Math.max(0, options.deadline - Date.now()),
  };
  if (!options.rules.legacyContextMethods) return context;
  return Object.assign(context, {
    callbackWaitsForEmptyEventLoop: true,
    done: (error: unknown, result?: unknown) => options.finish(error, result),
    succeed: (result?: unknown) => options.finish(null, result),
    fail: (error: unknown) => options.finish(error ?? "handled"),
  });
}

/** A log stream name in Lambda's form, for one container started now. */
export function containerLogStreamName(now: Date, randomHex: string): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[$LATEST]${randomHex}`;
}
