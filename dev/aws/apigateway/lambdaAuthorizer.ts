import type { InvocationResult } from "../lambda/functionRuntime.ts";
import { AuthorizerResultCache } from "./authorizerCache.ts";
import { readAuthorizerOutput, type AuthorizerOutput } from "./authorizerOutput.ts";
import { evaluatePolicy } from "./authorizerPolicy.ts";

/**
 * Why a Lambda authorizer refused a call, in API Gateway's terms: the function said
 * "Unauthorized" (401); the policy denies the method explicitly or does not cover it (403); the
 * function failed or answered what API Gateway cannot read (500, configuration error); it could
 * not be run at all (throttled, timed out: 500, authorizer failure).
 */
export type AuthorizerRefusal = "unauthorized" | "explicit-deny" | "implicit-deny" | "configuration-error" | "failure";

export type LambdaAuthorizerDecision =
  | {
      authorized: true;
      principalId: string;
      context: AuthorizerOutput["context"];
      usageIdentifierKey?: string;
      /** How long the function took, 0 for a kept result: `requestContext.authorizer.integrationLatency`. */
      integrationLatencyMs: number;
      fromCache: boolean;
    }
  | {
      authorized: false;
      refusal: AuthorizerRefusal;
      /** What a developer needs to fix it; null for an ordinary refusal (401, 403). */
      problem: string | null;
      /** The context of a denying policy: AWS lets a gateway response template read it. */
      context?: AuthorizerOutput["context"];
    };

export interface LambdaAuthorizerSettings {
  /** The function, in the kit's function runtime; the request id names the call in the console's trace. */
  invoke(event: unknown, traced: { requestId?: string }): Promise<InvocationResult>;
  /** AuthorizerResultTtlInSeconds: 0 invokes the function for every call. */
  resultTtlSeconds: number;
  /** A REST API hands the integration context values as strings; an HTTP API keeps their types. */
  stringifyContext: boolean;
  now?: () => number;
}

/** One call to authorize: the key its result is kept under, the event to send, the ARN to evaluate against. */
export interface AuthorizationCall {
  cacheKey: string;
  /** The API request being authorized, for the console's trace. */
  requestId?: string;
  event: () => unknown;
  methodArn: string;
}

/**
 * A Lambda authorizer with an IAM-policy answer: invokes the function (or reuses its answer for
 * the same key within the TTL), and evaluates the policy against each call's method ARN.
 *
 * @example
 * const authorize = lambdaAuthorizer({ invoke: (event) => runtime.invoke(event), resultTtlSeconds: 300, stringifyContext: true });
 * await authorize({ cacheKey: token, event: () => ({ type: "TOKEN", authorizationToken: token, methodArn }), methodArn });
 * // { authorized: true, principalId: "user", context: {}, integrationLatencyMs: 12, fromCache: false }
 */
export function lambdaAuthorizer(settings: LambdaAuthorizerSettings): (call: AuthorizationCall) => Promise<LambdaAuthorizerDecision> {
  const now = settings.now ?? Date.now;
  // Answers the function gave, Allow or Deny alike; a throw ("Unauthorized" or any other) is
  // no policy and is asked again on the next call.
  const cache = new AuthorizerResultCache<AuthorizerOutput>(settings.resultTtlSeconds, { now });
  return async ({ cacheKey, event, methodArn, requestId }) => {
    let output = cache.get(cacheKey);
    const fromCache = output !== undefined;
    const startedAt = now();
    if (!output) {
      const answer = outputOf(await settings.invoke(event(), requestId === undefined ? {} : { requestId }), settings.stringifyContext);
      if (!("output" in answer)) return answer;
      output = answer.output;
      cache.set(cacheKey, output);
    }
    const integrationLatencyMs = fromCache ? 0 : now() - startedAt;
    const verdict = evaluatePolicy(output.statements, methodArn);
    if (verdict !== "allow") return { authorized: false, refusal: verdict, problem: null, context: output.context };
    return {
      authorized: true,
      principalId: output.principalId,
      context: output.context,
      ...(output.usageIdentifierKey !== undefined && { usageIdentifierKey: output.usageIdentifierKey }),
      integrationLatencyMs,
      fromCache,
    };
  };
}

function outputOf(result: InvocationResult, stringifyContext: boolean): { output: AuthorizerOutput } | Extract<LambdaAuthorizerDecision, { authorized: false }> {
  switch (result.status) {
    case "succeeded": {
      const read = readAuthorizerOutput(result.payload, { stringifyContext });
      return "output" in read ? read : { authorized: false, refusal: "configuration-error", problem: read.malformed };
    }
    case "failed":
      // The one error message API Gateway reads: "Unauthorized" is the function refusing the caller.
      if (result.error.errorMessage === "Unauthorized") return { authorized: false, refusal: "unauthorized", problem: null };
      return { authorized: false, refusal: "configuration-error", problem: `the authorizer failed: ${result.error.errorType}: ${result.error.errorMessage}` };
    case "timed-out":
      return { authorized: false, refusal: "failure", problem: "the authorizer timed out" };
    case "throttled":
      return { authorized: false, refusal: "failure", problem: "the authorizer was throttled (its reserved concurrency is reached)" };
  }
}
