import { LocalAwsError } from "../errors.ts";
import type { ApiRequest } from "./apiTypes.ts";

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
  /** The customised response's headers (ResponseParameters), lower-cased; none by default. */
  headers: Record<string, string>;
}

/** One `gatewayresponse.header.X` of a GatewayResponse's ResponseParameters. */
/** A gateway response the template customises (`AWS::ApiGateway::GatewayResponse`). */
export interface GatewayResponseDefinition {
  statusCode: number;
  responseTemplates: Record<string, string>;
  /** The headers it adds, each a static value or read from the request (`ResponseParameters`). */
  responseHeaders?: GatewayResponseHeader[];
}

export interface GatewayResponseHeader {
  name: string;
  from: { static: string } | { request: "header" | "querystring" | "path"; name: string };
}

/**
 * A GatewayResponse's ResponseParameters as API Gateway maps them ("Set up a gateway response for
 * a REST API"): `gatewayresponse.header.X` from a static `'value'` or from
 * `method.request.header|querystring|path.Y`. A stage variable, or a mapping of another
 * destination, is refused at start: the local stack would otherwise drop it in silence.
 *
 * @example
 * readGatewayResponseHeaders("Default4xx", { "gatewayresponse.header.Access-Control-Allow-Origin": "'*'" });
 * // [{ name: "access-control-allow-origin", from: { static: "*" } }]
 */
export function readGatewayResponseHeaders(where: string, parameters: Record<string, unknown>): GatewayResponseHeader[] {
  return Object.entries(parameters).map(([destination, source]) => {
    const name = /^gatewayresponse\.header\.(.+)$/.exec(destination)?.[1];
    const value = String(source);
    const literal = /^'(.*)'$/s.exec(value);
    const fromRequest = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(value);
    if (name === undefined || (!literal && !fromRequest)) {
      throw new LocalAwsError(
        `${where} (AWS::ApiGateway::GatewayResponse): the response parameter ${destination}: ${value} is not emulated; ` +
          "the local stack maps gatewayresponse.header.X from a static 'value' or method.request.header|querystring|path.Y",
      );
    }
    if (literal) return { name: name.toLowerCase(), from: { static: literal[1]! } };
    const [, location, field] = fromRequest!;
    return { name: name.toLowerCase(), from: { request: location as "header" | "querystring" | "path", name: location === "header" ? field!.toLowerCase() : field! } };
  });
}

/**
 * A gateway response as the template's AWS::ApiGateway::GatewayResponse customises it. Like AWS,
 * its template gets plain variable substitution, not Velocity. A type the template does not
 * customise takes its family's customised DEFAULT_4XX or DEFAULT_5XX ("Gateway response types
 * for API Gateway": each type "defaults to the DEFAULT_4XX type" or DEFAULT_5XX, by its default
 * status); a customised response without a StatusCode keeps the type's own status, as AWS
 * reverts a null status "to their original values".
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
    /** What the response's header mappings read; an unmapped value leaves its header out. */
    request?: Pick<ApiRequest, "headers" | "query" | "pathParameters">;
  },
): GatewayResponse {
  const defaults = DEFAULTS[type];
  const message = variables.message === undefined ? defaults.message : variables.message;
  const custom = customised.get(type) ?? customised.get(defaults.statusCode >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX");
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
  const statusCode = custom && Number.isInteger(custom.statusCode) ? custom.statusCode : defaults.statusCode;
  return { statusCode, body, headers: headersOf(custom?.responseHeaders ?? [], variables.request) };
}

function headersOf(mappings: readonly GatewayResponseHeader[], request: Pick<ApiRequest, "headers" | "query" | "pathParameters"> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { name, from } of mappings) {
    const value =
      "static" in from
        ? from.static
        : from.request === "header"
          ? request?.headers[from.name]
          : from.request === "querystring"
            ? request?.query.get(from.name)
            : request?.pathParameters[from.name];
    if (value !== undefined && value !== null) headers[name] = value;
  }
  return headers;
}
