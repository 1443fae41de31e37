import type { GatewayResponseDefinition, MethodAccess } from "./restApiModel.ts";
import { LocalAwsError } from "../errors.ts";
import type { RouteHandler } from "./apiTypes.ts";
import type { AuthorizerDecision } from "./cognitoAuthorizer.ts";
import { gatewayRejection } from "./integrationRequest.ts";
import type { UsagePlans } from "./usagePlans.ts";

export interface MethodAccessDependencies {
  authorizers: ReadonlyMap<string, (headers: Record<string, string>, scopes: readonly string[]) => AuthorizerDecision>;
  usagePlans: UsagePlans;
  gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>;
  /** The clock the meters read; tests move it. */
  now?: () => number;
}

/**
 * A method's integration behind its authorizer and its API key, in API Gateway's order: the
 * authorizer first (no token or a bad one: UNAUTHORIZED, 401), then the key and its usage plan
 * (INVALID_API_KEY 403, THROTTLED or QUOTA_EXCEEDED 429), each answered through the template's
 * gateway responses. What passed reaches the integration as `$context.authorizer.claims` and
 * `$context.identity.apiKey`.
 *
 * @example
 * guardedRoute({ apiKeyRequired: true }, integration, { authorizers: new Map(), usagePlans, gatewayResponses });
 */
export function guardedRoute(access: MethodAccess, integration: RouteHandler, dependencies: MethodAccessDependencies): RouteHandler {
  const { authorization, apiKeyRequired } = access;
  if (!authorization && !apiKeyRequired) return integration;
  const authorize = authorization && dependencies.authorizers.get(authorization.authorizerLogicalId);
  if (authorization && !authorize) {
    throw new LocalAwsError(`a method uses the authorizer ${authorization.authorizerLogicalId}, which is not an AWS::ApiGateway::Authorizer of this template`);
  }
  const now = dependencies.now ?? Date.now;
  return async (request) => {
    let admitted = request;
    if (authorization && authorize) {
      const decision = authorize(request.headers, authorization.scopes);
      if (!decision.authorized) return gatewayRejection("UNAUTHORIZED", request, dependencies.gatewayResponses);
      admitted = { ...admitted, authorizer: { claims: decision.claims } };
    }
    if (apiKeyRequired) {
      const check = dependencies.usagePlans.admit(request.headers["x-api-key"], now());
      if (!check.admitted) return gatewayRejection(check.refusal, request, dependencies.gatewayResponses);
      admitted = { ...admitted, apiKey: { id: check.key.id, value: check.key.value } };
    }
    return integration(admitted);
  };
}
