import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { LocalAwsError } from "../errors.ts";
import type { InvocationResult } from "../lambda/functionRuntime.ts";
import type { ApiRequest } from "./apiTypes.ts";
import { executeApiArn } from "./authorizerPolicy.ts";
import { templateRequestOf } from "./integrationRequest.ts";
import { lambdaAuthorizer, type AuthorizerRefusal } from "./lambdaAuthorizer.ts";
import { CONTEXT_VARIABLES, contextVariable } from "./mappingTemplates.ts";
import type { MethodAuthorization, MethodAuthorizer } from "./methodAccess.ts";
import { LOCAL_ID, proxyEventOf } from "./proxyEvent.ts";

/** Where a REST Lambda authorizer reads one identity source of a request. */
export type IdentitySource = { from: "header" | "querystring"; name: string } | { from: "context"; name: string };

/** An AWS::ApiGateway::Authorizer of type TOKEN or REQUEST, as the template declares it. */
export interface LambdaAuthorizerDefinition {
  logicalId: string;
  type: "TOKEN" | "REQUEST";
  functionLogicalId: string;
  /** A TOKEN authorizer's one header; a REQUEST authorizer's sources, none when its cache is off. */
  identitySources: IdentitySource[];
  /** IdentityValidationExpression: a TOKEN not matching it, whole, is refused without invoking. */
  validationExpression?: string;
  resultTtlSeconds: number;
}

/**
 * Reads `IdentitySource` as API Gateway does for a REST API: comma-separated
 * `method.request.header.X`, `method.request.querystring.X` and `context.X`; a TOKEN authorizer
 * takes one header. Stage variables are refused: the local stack has none, so every call would
 * be a 401.
 *
 * @example
 * readIdentitySources("AuthAuthorizer", "REQUEST", "method.request.header.Auth, method.request.querystring.tenant");
 * // [{ from: "header", name: "auth" }, { from: "querystring", name: "tenant" }]
 */
export function readIdentitySources(where: string, type: "TOKEN" | "REQUEST", source: string | undefined): IdentitySource[] {
  const sources = (source ?? "").split(",").map((part) => part.trim()).filter((part) => part !== "");
  const read = sources.map((part): IdentitySource => {
    const parameter = /^method\.request\.(header|querystring)\.(.+)$/.exec(part);
    if (parameter) return { from: parameter[1] as "header" | "querystring", name: parameter[1] === "header" ? parameter[2]!.toLowerCase() : parameter[2]! };
    const context = /^context\.(.+)$/.exec(part);
    if (context && (CONTEXT_VARIABLES as readonly string[]).includes(context[1]!)) return { from: "context", name: context[1]! };
    throw new LocalAwsError(
      `${where}: the identity source ${part} is not emulated; the local stack reads method.request.header.X, method.request.querystring.X ` +
        `and context.X (X one of ${CONTEXT_VARIABLES.join(", ")}); it has no stage variables`,
    );
  });
  if (type === "TOKEN" && (read.length !== 1 || read[0]!.from !== "header")) {
    throw new LocalAwsError(`${where}: a TOKEN authorizer reads its token from one header (method.request.header.X), not ${JSON.stringify(source ?? "")}`);
  }
  return read;
}

/**
 * The values of the identity sources for one call, or undefined when one is missing or empty:
 * API Gateway then answers 401 without invoking the authorizer.
 */
export function identityValues(sources: readonly IdentitySource[], request: ApiRequest, resourcePath: string, stage: string): string[] | undefined {
  const values: string[] = [];
  for (const source of sources) {
    const value =
      source.from === "header"
        ? request.headers[source.name]
        : source.from === "querystring"
          ? request.query.getAll(source.name).at(-1)
          : contextVariable(templateRequestOf(request, resourcePath, stage), source.name);
    if (value === undefined || value === "") return undefined;
    values.push(value);
  }
  return values;
}

/** The event of a TOKEN authorizer: the header's whole value ("Bearer …" included) and the method ARN. */
export function tokenAuthorizerEvent(authorizationToken: string, methodArn: string): APIGatewayTokenAuthorizerEvent {
  return { type: "TOKEN", methodArn, authorizationToken };
}

/**
 * The event of a REQUEST authorizer: the proxy event's request without its body, empty maps
 * where the proxy event has null, and no `requestContext.authorizer` (none has run yet), as in
 * the event Powertools recorded on AWS (fixtures/restRequestAuthorizerEvent.aws.json).
 */
export function requestAuthorizerEvent(
  request: ApiRequest,
  resourcePath: string,
  methodArn: string,
  settings: { stage: string; accountId: string },
): APIGatewayRequestAuthorizerEvent {
  const { body: _body, isBase64Encoded: _encoded, requestContext, ...proxy } = proxyEventOf({ ...request, authorizer: undefined }, resourcePath, settings);
  return {
    type: "REQUEST",
    methodArn,
    ...proxy,
    queryStringParameters: proxy.queryStringParameters ?? {},
    multiValueQueryStringParameters: proxy.multiValueQueryStringParameters ?? {},
    pathParameters: proxy.pathParameters ?? {},
    stageVariables: proxy.stageVariables ?? {},
    requestContext,
  } as APIGatewayRequestAuthorizerEvent;
}

const DENIED = {
  "explicit-deny": "User is not authorized to access this resource with an explicit deny",
  "implicit-deny": "User is not authorized to access this resource",
} as const;

/** Each refusal as the gateway response API Gateway answers it with. */
const REFUSALS: Record<AuthorizerRefusal, Extract<MethodAuthorization, { authorized: false }>["refusal"]> = {
  unauthorized: "UNAUTHORIZED",
  "explicit-deny": "ACCESS_DENIED",
  "implicit-deny": "ACCESS_DENIED",
  "configuration-error": "AUTHORIZER_CONFIGURATION_ERROR",
  failure: "AUTHORIZER_FAILURE",
};

/**
 * A REST API's TOKEN or REQUEST authorizer on its function: identity sources read (a missing one,
 * or a token not matching the validation expression, is a 401 without invoking), the result
 * kept per identity for the TTL, the policy evaluated against the call's method ARN, and what
 * passes handed to the integration as `{ principalId, integrationLatency, ...context }`.
 *
 * @example
 * const authorize = restLambdaAuthorizer(definition, (event) => runtime.invoke(event), { region, accountId, stage: "dev" });
 * await authorize(request, { resourcePath: "/items/{id}", scopes: [] }); // { authorized: true, authorizer: { principalId: "u-1", … } }
 */
export function restLambdaAuthorizer(
  definition: LambdaAuthorizerDefinition,
  invoke: (event: unknown, traced: { requestId?: string }) => Promise<InvocationResult>,
  settings: { region: string; accountId: string; stage: string; now?: () => number },
): MethodAuthorizer {
  const authorize = lambdaAuthorizer({ invoke, resultTtlSeconds: definition.resultTtlSeconds, stringifyContext: true, ...(settings.now && { now: settings.now }) });
  const validation = definition.validationExpression === undefined ? undefined : new RegExp(`^(?:${definition.validationExpression})$`);
  return async (request, { resourcePath }) => {
    const values = identityValues(definition.identitySources, request, resourcePath, settings.stage);
    if (!values || (validation && !validation.test(values[0]!))) return { authorized: false, refusal: "UNAUTHORIZED" };
    const methodArn = executeApiArn({ ...settings, apiId: LOCAL_ID, method: request.method, path: request.path });
    const decision = await authorize({
      cacheKey: JSON.stringify(values),
      methodArn,
      requestId: request.requestId,
      event: () =>
        definition.type === "TOKEN" ? tokenAuthorizerEvent(values[0]!, methodArn) : requestAuthorizerEvent(request, resourcePath, methodArn, settings),
    });
    if (!decision.authorized) {
      if (decision.problem) console.error(`${definition.logicalId} (${definition.type} authorizer) refused ${request.method} ${request.path} with a 500: ${decision.problem}`);
      return {
        authorized: false,
        refusal: REFUSALS[decision.refusal],
        ...(decision.refusal in DENIED && { message: DENIED[decision.refusal as keyof typeof DENIED] }),
        ...(decision.context && { authorizer: decision.context }),
      };
    }
    return {
      authorized: true,
      authorizer: { ...decision.context, principalId: decision.principalId, integrationLatency: decision.integrationLatencyMs },
      ...(decision.usageIdentifierKey !== undefined && { usageIdentifierKey: decision.usageIdentifierKey }),
    };
  };
}
