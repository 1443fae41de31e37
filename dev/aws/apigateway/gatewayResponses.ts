import type { GatewayResponseDefinition } from "./restApiModel.ts";

export type GatewayResponseType =
  | "BAD_REQUEST_BODY"
  | "BAD_REQUEST_PARAMETERS"
  | "MISSING_AUTHENTICATION_TOKEN"
  | "UNAUTHORIZED"
  | "ACCESS_DENIED"
  | "AUTHORIZER_CONFIGURATION_ERROR"
  | "AUTHORIZER_FAILURE"
  | "INVALID_API_KEY"
  | "QUOTA_EXCEEDED"
  | "REQUEST_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "THROTTLED"
  | "INTEGRATION_FAILURE"
  | "DEFAULT_5XX";

/**
 * API Gateway's own error responses that the local API produces, with AWS's defaults ("Gateway
 * response types for API Gateway"). A Lambda authorizer that fails or answers what API Gateway
 * cannot read gets `{"message":null}`, as API Gateway answers an AuthorizerConfigurationException.
 */
const DEFAULTS: Record<GatewayResponseType, { statusCode: number; message: string | null }> = {
  BAD_REQUEST_BODY: { statusCode: 400, message: "Invalid request body" },
  // Its message names the parameters: "Missing required request parameters: [q1]" (api-gateway-request-validation-test).
  BAD_REQUEST_PARAMETERS: { statusCode: 400, message: "Missing required request parameters" },
  MISSING_AUTHENTICATION_TOKEN: { statusCode: 403, message: "Missing Authentication Token" },
  UNAUTHORIZED: { statusCode: 401, message: "Unauthorized" },
  // An explicit Deny is worded "… with an explicit deny": the caller passes that message.
  ACCESS_DENIED: { statusCode: 403, message: "User is not authorized to access this resource" },
  AUTHORIZER_CONFIGURATION_ERROR: { statusCode: 500, message: null },
  AUTHORIZER_FAILURE: { statusCode: 500, message: null },
  INVALID_API_KEY: { statusCode: 403, message: "Forbidden" },
  QUOTA_EXCEEDED: { statusCode: 429, message: "Limit Exceeded" },
  REQUEST_TOO_LARGE: { statusCode: 413, message: "Request Too Long" },
  UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, message: "Unsupported Media Type" },
  THROTTLED: { statusCode: 429, message: "Too Many Requests" },
  INTEGRATION_FAILURE: { statusCode: 504, message: "Internal server error" },
  DEFAULT_5XX: { statusCode: 502, message: "Internal server error" },
};

export interface GatewayResponse {
  statusCode: number;
  body: string;
}

/**
 * A gateway response as the template's AWS::ApiGateway::GatewayResponse customises it. Like AWS,
 * its template gets plain variable substitution, not Velocity.
 *
 * @example
 * gatewayResponse("THROTTLED", new Map(), { requestId: "r-1" }); // { statusCode: 429, body: '{"message":"Too Many Requests"}' }
 */
export function gatewayResponse(
  type: GatewayResponseType,
  customised: ReadonlyMap<string, GatewayResponseDefinition>,
  variables: {
    requestId: string;
    validationErrorString?: string;
    /** The message when it differs from the type's default (an explicit Deny's). */
    message?: string | null;
    /** A denying Lambda authorizer's context and principal, which AWS lets the template read as `$context.authorizer.X`. */
    authorizer?: Record<string, unknown>;
  },
): GatewayResponse {
  const defaults = DEFAULTS[type];
  const message = variables.message === undefined ? defaults.message : variables.message;
  const custom = customised.get(type);
  const template = custom?.responseTemplates["application/json"] ?? '{"message":$context.error.messageString}';
  const values: Record<string, string> = {
    ...Object.fromEntries(Object.entries(variables.authorizer ?? {}).map(([key, value]) => [`$context.authorizer.${key}`, String(value ?? "")])),
    "$context.error.messageString": JSON.stringify(message),
    "$context.error.message": message ?? "",
    "$context.error.responseType": type,
    // AWS escapes it for a JSON string, without quoting it: templates write "$context.error.validationErrorString".
    "$context.error.validationErrorString": JSON.stringify(variables.validationErrorString ?? "").slice(1, -1),
    "$context.requestId": variables.requestId,
  };
  const body = template.replace(/\$context\.[A-Za-z0-9_.]+/g, (name) => values[name] ?? "");
  return { statusCode: custom?.statusCode ?? defaults.statusCode, body };
}
