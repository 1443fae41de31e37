import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRuntime } from "./functionRuntime.ts";

let serviceDir: string;
const runtimes: FunctionRuntime[] = [];

/** A function of `handler.js` (CommonJS, as a v3 service's plain JavaScript is) on `runtime`. */
function runtimeOf(exportName: string, runtime: string): FunctionRuntime {
  const created = new FunctionRuntime({
    name: `styles-${exportName}`,
    arn: `arn:aws:lambda:eu-west-1:000000000000:function:styles-${exportName}`,
    handler: `handler.${exportName}`,
    runtime,
    serviceDir,
    timeoutSeconds: 5,
    memoryMegabytes: 128,
    environment: {},
  });
  runtimes.push(created);
  return created;
}

beforeAll(async () => {
  serviceDir = await mkdtemp(join(tmpdir(), "handler-styles-"));
  await writeFile(
    join(serviceDir, "handler.js"),
    [
      "exports.callback = (event, context, callback) => { setTimeout(() => callback(null, { doubled: event.n * 2 }), 5); };",
      'exports.callbackError = (event, context, callback) => callback(new TypeError("bad input"));',
      "exports.succeed = (event, context) => { context.succeed({ via: 'succeed' }); };",
      "exports.syncValue = () => ({ ignored: true });",
      "exports.asyncWithThree = async (event, context, callback) => ({ fromPromise: true });",
      "exports.context = async (event, context) => ({ ...context, remaining: context.getRemainingTimeInMillis(), methods: ['done', 'succeed', 'fail'].filter((name) => typeof context[name] === 'function') });",
      // Not in the service's folder: Lambda's runtime provides the AWS SDK v3.
      'exports.sdk = async () => { const { SQSClient } = require("@aws-sdk/client-sqs"); return { client: typeof SQSClient }; };',
    ].join("\n"),
  );
});

afterAll(async () => {
  await Promise.all(runtimes.map((runtime) => runtime.stop()));
  await rm(serviceDir, { recursive: true, force: true });
});

describe("a handler, called as Lambda's Node.js runtime calls it", () => {
  it("answers with what the callback gives on nodejs20.x and nodejs22.x", async () => {
    expect(await runtimeOf("callback", "nodejs20.x").invoke({ n: 21 })).toEqual({ status: "succeeded", payload: { doubled: 42 } });
    expect(await runtimeOf("callbackError", "nodejs22.x").invoke({})).toMatchObject({ status: "failed", error: { errorType: "TypeError", errorMessage: "bad input" } });
    expect(await runtimeOf("succeed", "nodejs22.x").invoke({})).toEqual({ status: "succeeded", payload: { via: "succeed" } });
    expect(await runtimeOf("asyncWithThree", "nodejs22.x").invoke({})).toEqual({ status: "succeeded", payload: { fromPromise: true } });
  });

  it("answers null for a synchronous handler without a callback on nodejs22.x, and its value from nodejs24.x", async () => {
    expect(await runtimeOf("syncValue", "nodejs22.x").invoke({})).toEqual({ status: "succeeded", payload: null });
    expect(await runtimeOf("syncValue", "nodejs24.x").invoke({})).toEqual({ status: "succeeded", payload: { ignored: true } });
  });

  // The interface client's message, src/context/constants.ts (aws/aws-lambda-nodejs-runtime-interface-client).
  it("refuses a handler declaring a callback on nodejs24.x at init, async or not, as Runtime.CallbackHandlerDeprecated", async () => {
    for (const exportName of ["callback", "asyncWithThree"]) {
      const result = await runtimeOf(exportName, "nodejs24.x").invoke({ n: 1 });
      expect(result).toMatchObject({
        status: "failed",
        error: { errorType: "Runtime.CallbackHandlerDeprecated", errorMessage: expect.stringContaining("removed support for callback-based function handlers starting with Node.js 24") },
      });
    }
  });

  it("passes the context Lambda documents, with done/succeed/fail up to nodejs22.x only", async () => {
    const on22 = await runtimeOf("context", "nodejs22.x").invoke({});
    expect(on22).toMatchObject({
      status: "succeeded",
      payload: {
        functionName: "styles-context",
        functionVersion: "$LATEST",
        invokedFunctionArn: "arn:aws:lambda:eu-west-1:000000000000:function:styles-context",
        memoryLimitInMB: "128",
        awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        logGroupName: "/aws/lambda/styles-context",
        logStreamName: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
        callbackWaitsForEmptyEventLoop: true,
        remaining: expect.any(Number),
        methods: ["done", "succeed", "fail"],
      },
    });
    const on24 = await runtimeOf("context", "nodejs24.x").invoke({});
    expect(on24).toMatchObject({ status: "succeeded", payload: { functionVersion: "$LATEST", methods: [] } });
    expect((on24 as { payload: object }).payload).not.toHaveProperty("callbackWaitsForEmptyEventLoop");
  });

  it("lets a handler import the AWS SDK v3 the runtime provides without bundling it", async () => {
    expect(await runtimeOf("sdk", "nodejs24.x").invoke({})).toEqual({ status: "succeeded", payload: { client: "function" } });
  });
});
