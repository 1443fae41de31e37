import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import type { InvocationResult } from "../lambda/functionRuntime.ts";
import type { ApiRequest } from "./apiTypes.ts";
import { executeApiArn } from "./authorizerPolicy.ts";
import { templateRequestOf } from "./integrationRequest.ts";
import { lambdaAuthorizer, type AuthorizerRefusal } from "./lambdaAuthorizer.ts";
import type { IdentitySource, LambdaAuthorizerDefinition } from "./identitySources.ts";
import { contextVariable } from "./mappingTemplates.ts";
import type { MethodAuthorization, MethodAuthorizer } from "./methodAccess.ts";
import { LOCAL_ID, proxyEventOf } from "./proxyEvent.ts";

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
