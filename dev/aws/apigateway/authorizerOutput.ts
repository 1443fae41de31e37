import { readPolicyDocument, type PolicyStatement } from "./authorizerPolicy.ts";

/** A Lambda authorizer's answer (IAM-policy form), checked as API Gateway checks it. */
export interface AuthorizerOutput {
  principalId: string;
  statements: PolicyStatement[];
  /** The `context` map: strings, numbers and booleans (stringified when asked), null kept. */
  context: Record<string, string | number | boolean | null>;
  /** The API key a usage plan meters, when the API's key source is AUTHORIZER. */
  usageIdentifierKey?: string;
}

/**
 * The function's answer as API Gateway reads it, or why it would answer 500 instead: a missing
 * principalId or policyDocument, a policy it cannot read, or a context value that is an object
 * or a list (AWS: "you cannot set a JSON object or array as a valid value of any key in the
 * context map"). A REST API hands the integration every context value as a string
 * (`stringifyContext`); null is passed as null.
 *
 * @example
 * readAuthorizerOutput({ principalId: "u-1", policyDocument, context: { tenant: 7 } }, { stringifyContext: true }).output?.context;
 * // { tenant: "7" }
 */
export function readAuthorizerOutput(payload: unknown, { stringifyContext }: { stringifyContext: boolean }): { output: AuthorizerOutput } | { malformed: string } {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return { malformed: `the authorizer returned ${JSON.stringify(payload) ?? "nothing"}, not an object with principalId and policyDocument` };
  }
  const { principalId, policyDocument, context, usageIdentifierKey } = payload as Record<string, unknown>;
  if (typeof principalId !== "string" && typeof principalId !== "number") return { malformed: "the authorizer's answer has no principalId" };
  const policy = readPolicyDocument(policyDocument);
  if ("malformed" in policy) return policy;
  const values: AuthorizerOutput["context"] = {};
  if (context !== undefined && context !== null) {
    if (typeof context !== "object" || Array.isArray(context)) return { malformed: "the authorizer's context is not an object" };
    for (const [key, value] of Object.entries(context)) {
      if (value === undefined) continue;
      if (value !== null && typeof value === "object") {
        return { malformed: `the authorizer's context.${key} is an ${Array.isArray(value) ? "array" : "object"}; API Gateway takes strings, numbers and booleans only` };
      }
      values[key] = value === null || !stringifyContext ? (value as string | number | boolean | null) : String(value);
    }
  }
  return {
    output: {
      principalId: String(principalId),
      statements: policy.statements,
      context: values,
      ...(typeof usageIdentifierKey === "string" && { usageIdentifierKey }),
    },
  };
}
