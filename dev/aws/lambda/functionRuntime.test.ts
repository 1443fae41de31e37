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
