import type { GatewayResponseDefinition, MethodAccess } from "./restApiModel.ts";
import { LocalAwsError } from "../errors.ts";
import type { ApiRequest, RouteHandler } from "./apiTypes.ts";
import type { GatewayResponseType } from "./gatewayResponses.ts";
import { gatewayRejection } from "./integrationRequest.ts";
import type { UsagePlans } from "./usagePlans.ts";

/** What a method's authorizer decided, in the gateway's terms. */
export type MethodAuthorization =
  | {
      authorized: true;
      /** What the integration sees as `requestContext.authorizer` and `$context.authorizer`. */
      authorizer: Record<string, unknown>;
      /** A Lambda authorizer's usageIdentifierKey: the API key when the API's key source is AUTHORIZER. */
      usageIdentifierKey?: string;
    }
  | {
      authorized: false;
      refusal: Extract<GatewayResponseType, "UNAUTHORIZED" | "ACCESS_DENIED" | "AUTHORIZER_CONFIGURATION_ERROR" | "AUTHORIZER_FAILURE">;
      /** When it differs from the gateway response's default message. */
      message?: string;
      /** A denying policy's context, for `$context.authorizer.X` in the gateway response. */
      authorizer?: Record<string, unknown>;
    };

/** An authorizer of the template (Cognito, TOKEN, REQUEST), asked for each call of a method it guards. */
export type MethodAuthorizer = (
  request: ApiRequest,
  method: { resourcePath: string; scopes: readonly string[] },
) => MethodAuthorization | Promise<MethodAuthorization>;

export interface MethodAccessDependencies {
  authorizers: ReadonlyMap<string, MethodAuthorizer>;
  usagePlans: UsagePlans;
  gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>;
  /** Where the API reads a caller's API key: the x-api-key header (AWS's default) or the authorizer's usageIdentifierKey. */
  apiKeySource?: "HEADER" | "AUTHORIZER";
  /** The clock the meters read; tests move it. */
  now?: () => number;
}

/**
 * A method's integration behind its authorizer and its API key, in API Gateway's order: the
 * authorizer first (no token or a bad one: UNAUTHORIZED, 401; a policy that does not allow the
 * method: ACCESS_DENIED, 403; a failing Lambda authorizer: 500), then the key and its usage plan
 * (INVALID_API_KEY 403, THROTTLED or QUOTA_EXCEEDED 429), each answered through the template's
 * gateway responses. What passed reaches the integration as `$context.authorizer` and
 * `$context.identity.apiKey`.
 *
 * @example
 * guardedRoute({ path: "/items", apiKeyRequired: true }, integration, { authorizers: new Map(), usagePlans, gatewayResponses });
 */
export function guardedRoute(access: MethodAccess & { path: string }, integration: RouteHandler, dependencies: MethodAccessDependencies): RouteHandler {
  const { authorization, apiKeyRequired } = access;
  if (!authorization && !apiKeyRequired) return integration;
  const authorize = authorization && dependencies.authorizers.get(authorization.authorizerLogicalId);
  if (authorization && !authorize) {
    throw new LocalAwsError(`a method uses the authorizer ${authorization.authorizerLogicalId}, which is not an AWS::ApiGateway::Authorizer of this template`);
  }
  const now = dependencies.now ?? Date.now;
  return async (request) => {
    let admitted = request;
    let usageIdentifierKey: string | undefined;
    if (authorization && authorize) {
      const decision = await authorize(request, { resourcePath: access.path, scopes: authorization.scopes });
      if (!decision.authorized) {
        const { message, authorizer } = decision;
        return gatewayRejection(decision.refusal, request, dependencies.gatewayResponses, undefined, {
          ...(message !== undefined && { message }),
          ...(authorizer && { authorizer }),
        });
      }
      admitted = { ...admitted, authorizer: decision.authorizer };
      usageIdentifierKey = decision.usageIdentifierKey;
    }
    if (apiKeyRequired) {
      const key = dependencies.apiKeySource === "AUTHORIZER" ? usageIdentifierKey : request.headers["x-api-key"];
      const check = dependencies.usagePlans.admit(key, now());
      if (!check.admitted) return gatewayRejection(check.refusal, request, dependencies.gatewayResponses);
      admitted = { ...admitted, apiKey: { id: check.key.id, value: check.key.value } };
    }
    return integration(admitted);
  };
}
