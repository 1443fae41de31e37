import { describe, expect, it } from "vitest";
import { readAuthorizerOutput } from "./authorizerOutput.ts";

// The answer of "Output from an API Gateway Lambda authorizer" (API Gateway developer guide), with
// the context value types the guide's authorizer example returns (a string, a number, a boolean).
const documented = {
  principalId: "yyyyyyyy",
  policyDocument: {
    Version: "2012-10-17",
    Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request" }],
  },
  context: { stringKey: "value", numberKey: 1, booleanKey: true },
  usageIdentifierKey: "api-key-value",
};

describe("a Lambda authorizer's answer", () => {
  it("hands a REST integration every context value as a string: the guide's \"value\", \"1\", \"true\"", () => {
    const read = readAuthorizerOutput(documented, { stringifyContext: true });
    expect(read).toEqual({
      output: {
        principalId: "yyyyyyyy",
        statements: [{ effect: "Allow", actions: ["execute-api:Invoke"], resources: ["arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request"] }],
        context: { stringKey: "value", numberKey: "1", booleanKey: "true" },
        usageIdentifierKey: "api-key-value",
      },
    });
  });

  // DefinitelyTyped/DefinitelyTyped#69823 shows what a REST function received on AWS: null kept, undefined gone.
  it("keeps a null context value as null and leaves out an undefined one, as AWS passed them", () => {
    const read = readAuthorizerOutput({ ...documented, context: { gone: undefined, nothing: null } }, { stringifyContext: true });
    expect("output" in read && read.output.context).toEqual({ nothing: null });
  });

  it("keeps the value types when asked not to stringify them", () => {
    const read = readAuthorizerOutput(documented, { stringifyContext: false });
    expect("output" in read && read.output.context).toEqual({ stringKey: "value", numberKey: 1, booleanKey: true });
  });

  // The guide: "you cannot set a JSON object or array as a valid value of any key in the context map".
  it("is refused, saying why, with an object or array in its context, without principalId, or without a policy", () => {
    expect(readAuthorizerOutput({ ...documented, context: { roles: ["a"] } }, { stringifyContext: true })).toEqual({
      malformed: "the authorizer's context.roles is an array; API Gateway takes strings, numbers and booleans only",
    });
    expect(readAuthorizerOutput({ ...documented, context: { user: { id: 1 } } }, { stringifyContext: true })).toMatchObject({ malformed: expect.stringContaining("is an object") });
    expect(readAuthorizerOutput({ policyDocument: documented.policyDocument }, { stringifyContext: true })).toEqual({ malformed: "the authorizer's answer has no principalId" });
    expect(readAuthorizerOutput({ principalId: "u" }, { stringifyContext: true })).toEqual({ malformed: "policyDocument is missing or not an object" });
    expect(readAuthorizerOutput("Allow", { stringifyContext: true })).toMatchObject({ malformed: expect.stringContaining('returned "Allow"') });
  });
});
