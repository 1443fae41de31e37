import type { ApiRequest, ApiResponse } from "../apigateway/apiTypes.ts";

/** The claims and scopes a JWT authorizer hands the integration. */
export interface JwtAuthorization {
  /** Every value a string, as API Gateway passes them: arrays as "[a b]". */
  claims: Record<string, string>;
  /** The token's scopes on a route that asks for scopes, else null. */
  scopes: string[] | null;
}

/** A request to the HTTP API as read off the socket, once its route is selected. */
export interface HttpApiRequest extends Omit<ApiRequest, "authorizer" | "apiKey"> {
  /** The path as sent, percent-encoding kept, a named stage's prefix too (AWS's example event for stage "default"). */
  rawPath: string;
  /** Decoded, without a named stage's prefix: what the route matched, `$request.path`. */
  routePath: string;
  rawQueryString: string;
  routeKey: string;
  stage: string;
  jwt?: JwtAuthorization;
}

export type HttpApiHandler = (request: HttpApiRequest) => Promise<ApiResponse>;

/**
 * The answers an HTTP API gives itself: `{"message": …}` as JSON, with AWS's words ("Error
 * handling" in the HTTP API docs; the messages of "Troubleshooting issues with HTTP API Lambda
 * integrations" and "Protect your HTTP API").
 */
export const HTTP_API_ERRORS = {
  notFound: { statusCode: 404, message: "Not Found" },
  unauthorized: { statusCode: 401, message: "Unauthorized" },
  forbidden: { statusCode: 403, message: "Forbidden" },
  tooManyRequests: { statusCode: 429, message: "Too Many Requests" },
  tooLarge: { statusCode: 413, message: "Request Entity Too Large" },
  internalServerError: { statusCode: 500, message: "Internal Server Error" },
  serviceUnavailable: { statusCode: 503, message: "Service Unavailable" },
} as const;

export function httpApiError(error: keyof typeof HTTP_API_ERRORS): ApiResponse {
  const { statusCode, message } = HTTP_API_ERRORS[error];
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify({ message }) };
}
