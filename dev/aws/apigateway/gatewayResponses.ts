import type { GatewayResponseDefinition } from "./restApiModel.ts";

/** API Gateway's own error responses that the local API produces, with AWS's defaults. */
const DEFAULTS = {
  BAD_REQUEST_BODY: { statusCode: 400, message: "Invalid request body" },
  // Its message names the parameters: "Missing required request parameters: [q1]" (api-gateway-request-validation-test).
  BAD_REQUEST_PARAMETERS: { statusCode: 400, message: "Missing required request parameters" },
  MISSING_AUTHENTICATION_TOKEN: { statusCode: 403, message: "Missing Authentication Token" },
  UNAUTHORIZED: { statusCode: 401, message: "Unauthorized" },
  INVALID_API_KEY: { statusCode: 403, message: "Forbidden" },
  QUOTA_EXCEEDED: { statusCode: 429, message: "Limit Exceeded" },
  REQUEST_TOO_LARGE: { statusCode: 413, message: "Request Too Long" },
  UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, message: "Unsupported Media Type" },
  THROTTLED: { statusCode: 429, message: "Too Many Requests" },
  INTEGRATION_FAILURE: { statusCode: 504, message: "Internal server error" },
  DEFAULT_5XX: { statusCode: 502, message: "Internal server error" },
} as const;

export type GatewayResponseType = keyof typeof DEFAULTS;

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
  variables: { requestId: string; validationErrorString?: string; messageString?: string },
): GatewayResponse {
  const defaults = DEFAULTS[type];
  const custom = customised.get(type);
  const template = custom?.responseTemplates["application/json"] ?? '{"message":$context.error.messageString}';
  const values: Record<string, string> = {
    "$context.error.messageString": JSON.stringify(variables.messageString ?? defaults.message),
    "$context.error.message": variables.messageString ?? defaults.message,
    "$context.error.responseType": type,
    // AWS escapes it for a JSON string, without quoting it: templates write "$context.error.validationErrorString".
    "$context.error.validationErrorString": JSON.stringify(variables.validationErrorString ?? "").slice(1, -1),
    "$context.requestId": variables.requestId,
  };
  const body = template.replace(/\$context\.[A-Za-z.]+/g, (name) => values[name] ?? "");
  return { statusCode: custom?.statusCode ?? defaults.statusCode, body };
}
