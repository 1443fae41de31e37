import type { APIGatewayProxyEvent } from "aws-lambda";
import type { ApiResponse } from "../apigateway/apiTypes.ts";
import { proxyEventOf } from "../apigateway/proxyEvent.ts";
import type { HttpApiRequest } from "./httpApiTypes.ts";
import { httpApiRequestIdOf, type PayloadSettings } from "./payloadV2.ts";

/**
 * The event of payload format 1.0 on an HTTP API: the REST API's proxy event (multi-value maps,
 * header names in the client's case), with `version: "1.0"`, the route key's path as `resource`
 * and the HTTP API's stage and request id.
 */
export function eventV1Of(request: HttpApiRequest, settings: PayloadSettings): APIGatewayProxyEvent & { version: "1.0" } {
  const resource = request.routeKey === "$default" ? "$default" : request.routeKey.slice(request.routeKey.indexOf(" ") + 1);
  const event = proxyEventOf({ ...request, path: request.rawPath }, resource, { stage: request.stage, accountId: settings.accountId });
  const requestContext = {
    ...event.requestContext,
    apiId: settings.apiId,
    requestId: httpApiRequestIdOf(request.requestId),
    routeKey: request.routeKey,
    ...(request.jwt && { authorizer: { claims: request.jwt.claims, scopes: request.jwt.scopes } }),
  };
  return { version: "1.0", ...event, requestContext: requestContext as APIGatewayProxyEvent["requestContext"] };
}

/** A 1.0 answer as API Gateway reads it: statusCode, headers, multiValueHeaders, body; else undefined (a 500). */
export function responseV1Of(payload: unknown): ApiResponse | undefined {
  const result = payload as { statusCode?: unknown; headers?: Record<string, unknown>; multiValueHeaders?: Record<string, unknown[]>; body?: unknown; isBase64Encoded?: boolean } | null;
  if (!result || typeof result !== "object" || typeof result.statusCode !== "number") return undefined;
  const headers: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name.toLowerCase()] = values.map(String);
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const body = typeof result.body === "string" ? result.body : "";
  return { statusCode: result.statusCode, headers: headers as Record<string, string>, body: result.isBase64Encoded ? Buffer.from(body, "base64") : body };
}
