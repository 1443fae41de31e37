import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRuntime } from "./functionRuntime.ts";

let serviceDir: string;
let runtime: FunctionRuntime;

beforeAll(async () => {
  serviceDir = await mkdtemp(join(tmpdir(), "function-runtime-"));
  await writeFile(join(serviceDir, "package.json"), JSON.stringify({ type: "module" }));
  // The handler reports whether its thread loaded Node's TypeScript stripper, and where an error
  // it makes in an imported module points.
  await writeFile(
    join(serviceDir, "handler.ts"),
    [
      'import { failingLine } from "./lines.ts";',
      "export const handler = async (): Promise<{ stripperLoaded: boolean; frame: string }> => ({",
      '  stripperLoaded: process.moduleLoadList.some((name: string) => name.includes("amaro")),',
      "  frame: failingLine(),",
      "});",
    ].join("\n"),
  );
  await writeFile(
    join(serviceDir, "lines.ts"),
    ["interface Frame { line: string }", "export function failingLine(): string {", '  const frame: Frame = { line: new Error("here").stack!.split("\\n")[1]! };', "  return frame.line;", "}"].join("\n"),
  );
  await writeFile(join(serviceDir, "fails.ts"), 'export const handler = async (): Promise<never> => { throw new TypeError("the order has no id"); };');
  runtime = new FunctionRuntime({ name: "probe", arn: "arn:aws:lambda:eu-west-1:000000000000:function:probe", handler: "handler.handler", serviceDir, timeoutSeconds: 10, memoryMegabytes: 128, environment: {} });
});

afterAll(async () => {
  await runtime?.stop();
  await rm(serviceDir, { recursive: true, force: true });
});

describe("a container", () => {
  it("runs the handler's TypeScript without a stripper of its own, each line and column where the file has it", async () => {
    const result = await runtime.invoke({});
    expect(result).toEqual({
      status: "succeeded",
      payload: { stripperLoaded: false, frame: `    at failingLine (${pathToFileURL(join(serviceDir, "lines.ts")).href}:3:32)` },
    });
  });
});

describe("a failed invocation", () => {
  it("writes Lambda's Invoke Error line to the function's log, with the records and correlation id it concerned", async () => {
    const lines: string[] = [];
    const failing = new FunctionRuntime({
      name: "failing",
      arn: "arn:aws:lambda:eu-west-1:000000000000:function:failing",
      handler: "fails.handler",
      serviceDir,
      timeoutSeconds: 10,
      memoryMegabytes: 128,
      environment: {},
      onLog: (line) => lines.push(line),
    });
    try {
      const record = { messageId: "m1", body: "{}", messageAttributes: { correlationId: { stringValue: "c-1", dataType: "String" } } };
      const result = await failing.invoke({ Records: [record] });
      expect(result).toMatchObject({ status: "failed", error: { errorType: "TypeError", errorMessage: "the order has no id" } });
      const errors = lines.filter((line) => line.includes('"level":"ERROR"')).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(errors).toEqual([
        { timestamp: expect.any(String), level: "ERROR", message: "Invoke Error TypeError: the order has no id", correlationId: "c-1", messageIds: "m1" },
      ]);
    } finally {
      await failing.stop();
    }
  });
});
