import { describe, expect, it } from "vitest";
import { withRuntimeFix } from "../cloudformation/frameworkCompatibility.ts";
import { nodeRuntimeRules } from "./nodeRuntimes.ts";

describe("the Node.js runtimes a function may name", () => {
  // Callback handlers: kept on Node.js 18-22, removed from 24 (aws/aws-lambda-nodejs-runtime-interface-client#137, src/context/constants.ts).
  it("runs callback-style handlers on nodejs20.x and nodejs22.x, not from nodejs24.x", () => {
    expect(nodeRuntimeRules("nodejs20.x", "f").callbackHandlers).toBe(true);
    expect(nodeRuntimeRules("nodejs22.x", "f").callbackHandlers).toBe(true);
    expect(nodeRuntimeRules("nodejs24.x", "f")).toMatchObject({ callbackHandlers: false, legacyContextMethods: false });
  });

  it("refuses a runtime Lambda no longer accepts, naming the function and the fix", () => {
    for (const runtime of ["nodejs14.x", "nodejs12.x", "nodejs8.10", "nodejs18.x"]) {
      expect(() => nodeRuntimeRules(runtime, "shop-dev-hello")).toThrow(new RegExp(`shop-dev-hello: Runtime ${runtime} .*use nodejs20.x or later`));
    }
  });

  it("refuses a runtime that is not Node.js, as the local stack runs Node.js handlers only", () => {
    expect(() => nodeRuntimeRules("python3.12", "f")).toThrow(/python3.12 is not emulated: the local stack runs Node.js handlers only/);
  });

  it("names the fix when the framework's schema refuses the runtime", () => {
    const output = "Error:\nConfiguration error at 'provider.runtime': must be equal to one of the allowed values [nodejs20.x]";
    expect(withRuntimeFix(output)).toMatch(/provider\.runtime: .*use nodejs20.x or later/);
    expect(withRuntimeFix("Error: something else")).toBe("Error: something else");
  });
});
