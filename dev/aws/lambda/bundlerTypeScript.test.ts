import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRuntime } from "./functionRuntime.ts";

let serviceDir: string;
let runtime: FunctionRuntime;

beforeAll(async () => {
  serviceDir = await mkdtemp(join(tmpdir(), "bundler-typescript-"));
  await writeFile(join(serviceDir, "package.json"), JSON.stringify({ type: "module" }));
  await mkdir(join(serviceDir, "src", "shapes"), { recursive: true });
  // Written for esbuild, as serverless-esbuild services are: imports without extensions, a folder
  // import, and types imported as values (aws-lambda is only @types/aws-lambda, never installed).
  await writeFile(
    join(serviceDir, "src", "handler.ts"),
    [
      'import { APIGatewayProxyHandler } from "aws-lambda";',
      'import { greeting, Greeting } from "./lib";',
      'import { shapeOf } from "./shapes";',
      "",
      "export const handler: APIGatewayProxyHandler = async (event) => {",
      "  const body: Greeting = { text: greeting(event.path), shape: shapeOf(), frame: new Error().stack!.split(\"\\n\")[1]!.trim() };",
      "  return { statusCode: 200, body: JSON.stringify(body) };",
      "};",
    ].join("\n"),
  );
  await writeFile(join(serviceDir, "src", "lib.ts"), 'export interface Greeting { text: string; shape: string; frame: string }\nexport const greeting = (path: string): string => `hello ${path}`;\n');
  await writeFile(join(serviceDir, "src", "shapes", "index.ts"), 'export enum Shape { Round = "round" }\nexport const shapeOf = (): string => Shape.Round;\n');
  runtime = new FunctionRuntime({ name: "bundler", arn: "arn:aws:lambda:eu-west-1:000000000000:function:bundler", handler: "src/handler.handler", runtime: "nodejs22.x", serviceDir, timeoutSeconds: 10, memoryMegabytes: 128, environment: {} });
});

afterAll(async () => {
  await runtime?.stop();
  await rm(serviceDir, { recursive: true, force: true });
});

describe("a TypeScript handler written for the service's bundler", () => {
  it("runs with extensionless and folder imports, types imported as values and an enum, its stack on the source's lines", async () => {
    const result = await runtime.invoke({ path: "/hi" });
    expect(result).toMatchObject({ status: "succeeded", payload: { statusCode: 200 } });
    const body = JSON.parse((result as { payload: { body: string } }).payload.body) as { text: string; shape: string; frame: string };
    expect(body).toMatchObject({ text: "hello /hi", shape: "round" });
    // Line 6 of the source: the stack follows the source map of esbuild's output.
    expect(body.frame).toContain(`${join(serviceDir, "src", "handler.ts")}:6:`);
  });
});
