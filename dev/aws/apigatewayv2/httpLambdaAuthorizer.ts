import { AuthorizerResultCache } from "../apigateway/authorizerCache.ts";
import { executeApiArn } from "../apigateway/authorizerPolicy.ts";
import { lambdaAuthorizer, type AuthorizerRefusal } from "../apigateway/lambdaAuthorizer.ts";
import type { InvocationResult } from "../lambda/functionRuntime.ts";
import type { HttpApiRequest, LambdaAuthorization } from "./httpApiTypes.ts";
import type { HttpLambdaAuthorizerDefinition } from "./httpLambdaAuthorizerModel.ts";
import { mappedValue, type MappingSettings } from "./parameterMapping.ts";
import { eventV1Of } from "./payloadV1.ts";
import { eventV2Of } from "./payloadV2.ts";

/** How an HTTP API answers an authorizer's verdict: 401, 403, 500 with its own words, or the integration. */
export type HttpAuthorizerDecision = { outcome: "authorized"; lambda: LambdaAuthorization } | { outcome: "unauthorized" | "forbidden" | "internalServerError" };

export type AuthorizerInvoke = (event: unknown, traced: { requestId?: string }) => Promise<InvocationResult>;

export interface HttpLambdaAuthorizerSettings extends MappingSettings {
  region: string;
  now?: () => number;
}

/**
 * An HTTP API's Lambda authorizer ("Working with AWS Lambda authorizers for HTTP APIs"): reads
 * the identity sources (one missing or empty is a 401 without invoking), sends the event of its
 * payload format, keeps the answer per identity for the TTL, and reads a simple answer
 * (`isAuthorized` false is a 403) or an IAM policy, evaluated against the route's ARN
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` (a deny is a 403). A
 * function that fails, or answers what API Gateway cannot read, is a 500; one that throws
 * "Unauthorized" a 401.
 *
 * @example
 * const authorize = httpLambdaAuthorizer(definition, (event, traced) => runtime.invoke(event, traced), { region, accountId, apiId: "local" });
 * await authorize(request); // { outcome: "authorized", lambda: { context: { tenant: "t-1" }, integrationLatency: 12 } }
 */
export function httpLambdaAuthorizer(
  definition: HttpLambdaAuthorizerDefinition,
  invoke: AuthorizerInvoke,
  settings: HttpLambdaAuthorizerSettings,
): (request: HttpApiRequest) => Promise<HttpAuthorizerDecision> {
  const where = `${definition.logicalId} (HTTP API Lambda authorizer)`;
  const identity = definition.identitySources.map((source) => mappedValue(source, settings, `${where} identity source`));
  const decide = definition.simpleResponses ? simpleAnswers(definition, invoke, settings) : policyAnswers(definition, invoke, settings);
  return async (request) => {
    const values = identity.map((value) => value(request));
    if (values.some((value) => value === "")) return { outcome: "unauthorized" };
    const routeArn = executeApiArn({ region: settings.region, accountId: settings.accountId, apiId: settings.apiId, stage: request.stage, method: request.method, path: request.routePath });
    const decision = await decide({
      cacheKey: JSON.stringify(values),
      requestId: request.requestId,
      routeArn,
      event: () => (definition.payloadFormatVersion === "2.0" ? authorizerEventV2(request, routeArn, values, settings) : authorizerEventV1(request, routeArn, values, settings)),
    });
    if ("problem" in decision) {
      console.error(`${where} refused ${request.method} ${request.rawPath} with a 500: ${decision.problem}`);
      return { outcome: "internalServerError" };
    }
    return decision;
  };
}

interface AuthorizationCall {
  cacheKey: string;
  requestId: string;
  routeArn: string;
  event: () => unknown;
}

type Decide = (call: AuthorizationCall) => Promise<HttpAuthorizerDecision | { problem: string }>;

/** IAM-policy answers, read and evaluated as a REST API's are (apigateway/lambdaAuthorizer.ts), context values keeping their types. */
function policyAnswers(definition: HttpLambdaAuthorizerDefinition, invoke: AuthorizerInvoke, settings: HttpLambdaAuthorizerSettings): Decide {
  const authorize = lambdaAuthorizer({ invoke, resultTtlSeconds: definition.resultTtlSeconds, stringifyContext: false, ...(settings.now && { now: settings.now }) });
  const outcomes: Record<AuthorizerRefusal, "unauthorized" | "forbidden" | undefined> = {
    unauthorized: "unauthorized",
    "explicit-deny": "forbidden",
    "implicit-deny": "forbidden",
    "configuration-error": undefined,
    failure: undefined,
  };
  return async ({ cacheKey, requestId, routeArn, event }) => {
    const decision = await authorize({ cacheKey, requestId, methodArn: routeArn, event });
    if (decision.authorized) {
      const context = Object.keys(decision.context).length > 0 ? decision.context : null;
      return { outcome: "authorized", lambda: { context, principalId: decision.principalId, integrationLatency: decision.integrationLatencyMs } };
    }
    const outcome = outcomes[decision.refusal];
    return outcome ? { outcome } : { problem: decision.problem ?? decision.refusal };
  };
}

type SimpleAnswer = { isAuthorized: boolean; context: Record<string, unknown> | null };

/** Simple answers `{ isAuthorized, context }`, kept per identity for the TTL like a policy (a refusal too). */
function simpleAnswers(definition: HttpLambdaAuthorizerDefinition, invoke: AuthorizerInvoke, settings: HttpLambdaAuthorizerSettings): Decide {
  const now = settings.now ?? Date.now;
  const cache = new AuthorizerResultCache<SimpleAnswer>(definition.resultTtlSeconds, { now });
  return async ({ cacheKey, requestId, event }) => {
    let answer = cache.get(cacheKey);
    const fromCache = answer !== undefined;
    const startedAt = now();
    if (!answer) {
      const read = readSimpleAnswer(await invoke(event(), { requestId }));
      if (!("answer" in read)) return read;
      answer = read.answer;
      cache.set(cacheKey, answer);
    }
    if (!answer.isAuthorized) return { outcome: "forbidden" };
    return { outcome: "authorized", lambda: { context: answer.context, integrationLatency: fromCache ? 0 : now() - startedAt } };
  };
}

/** A simple answer as API Gateway reads it: `isAuthorized` a boolean, `context` an object if present. */
function readSimpleAnswer(result: InvocationResult): { answer: SimpleAnswer } | { outcome: "unauthorized" } | { problem: string } {
  switch (result.status) {
    case "succeeded": {
      const payload = result.payload as { isAuthorized?: unknown; context?: unknown } | null;
      if (typeof payload !== "object" || payload === null || typeof payload.isAuthorized !== "boolean") {
        return { problem: `the authorizer returned ${JSON.stringify(result.payload) ?? "nothing"}, not { isAuthorized: true|false } (EnableSimpleResponses)` };
      }
      const { context } = payload;
      if (context !== undefined && context !== null && (typeof context !== "object" || Array.isArray(context))) return { problem: "the authorizer's context is not an object" };
      return { answer: { isAuthorized: payload.isAuthorized, context: (context ?? null) as Record<string, unknown> | null } };
    }
    case "failed":
      if (result.error.errorMessage === "Unauthorized") return { outcome: "unauthorized" };
      return { problem: `the authorizer failed: ${result.error.errorType}: ${result.error.errorMessage}` };
    case "timed-out":
      return { problem: "the authorizer timed out" };
    case "throttled":
      return { problem: "the authorizer was throttled (its reserved concurrency is reached)" };
  }
}

/**
 * The authorizer's event of format 2.0: the request's 2.0 event without its body, with `type`,
 * `routeArn` and the identity sources' values, as AWS's example (aws/aws-lambda-go
 * events/testdata/apigw-v2-custom-authorizer-v2-request.json) shows it.
 */
export function authorizerEventV2(request: HttpApiRequest, routeArn: string, identitySource: string[], settings: MappingSettings) {
  const { body: _body, isBase64Encoded: _encoded, version, ...event } = eventV2Of(request, settings);
  return { version, type: "REQUEST" as const, routeArn, identitySource, ...event };
}

/**
 * The authorizer's event of format 1.0: a REST REQUEST authorizer's event, `identitySource` and
 * `authorizationToken` the values joined with commas, empty maps where the proxy event has null
 * (aws/aws-lambda-go events/testdata/apigw-v2-custom-authorizer-v1-request.json).
 */
export function authorizerEventV1(request: HttpApiRequest, methodArn: string, identitySource: string[], settings: MappingSettings) {
  const { body: _body, isBase64Encoded: _encoded, version, ...event } = eventV1Of(request, settings);
  const joined = identitySource.join(",");
  return {
    version,
    type: "REQUEST" as const,
    methodArn,
    identitySource: joined,
    authorizationToken: joined,
    ...event,
    queryStringParameters: event.queryStringParameters ?? {},
    multiValueQueryStringParameters: event.multiValueQueryStringParameters ?? {},
    pathParameters: event.pathParameters ?? {},
    stageVariables: event.stageVariables ?? {},
  };
}
