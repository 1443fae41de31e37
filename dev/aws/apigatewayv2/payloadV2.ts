import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { ApiResponse, SentHeader } from "../apigateway/apiTypes.ts";
import { forwardedHeaders, plainIp, requestTimeOf } from "../apigateway/proxyEvent.ts";
import { extendedRequestIdOf } from "../apigateway/requestIds.ts";
import type { HttpApiRequest } from "./httpApiTypes.ts";

export interface PayloadSettings {
  accountId: string;
  apiId: string;
}

/**
 * The event of payload format 2.0 ("Create AWS Lambda proxy integrations for HTTP APIs"): header
 * names lower-cased and a repeated header's values joined with commas, cookies apart, a repeated
 * query parameter's values joined with commas, and keys without a value (body, pathParameters,
 * queryStringParameters, cookies) left out, as in AWS's published example events.
 *
 * @example
 * eventV2Of(request, { accountId: "000000000000", apiId: "local" }).requestContext.http.method; // "GET"
 */
export function eventV2Of(request: HttpApiRequest, { accountId, apiId }: PayloadSettings): APIGatewayProxyEventV2 & { requestContext: { authorizer?: unknown } } {
  const { headers, cookies } = headersV2Of(forwardedHeaders(request));
  const host = headers.host?.replace(/:\d+$/, "") ?? "127.0.0.1";
  const query = [...new Set(request.query.keys())];
  return {
    version: "2.0",
    routeKey: request.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(query.length > 0 && { queryStringParameters: Object.fromEntries(query.map((key) => [key, request.query.getAll(key).join(",")])) }),
    requestContext: {
      accountId,
      apiId,
      ...(request.jwt && { authorizer: { jwt: request.jwt } }),
      // As an event recorded on AWS shows it (swift-server/swift-aws-lambda-runtime, Examples/APIGateway+LambdaAuthorizer/README.md).
      ...(request.lambdaAuthorizer && { authorizer: { lambda: request.lambdaAuthorizer.context } }),
      domainName: host,
      domainPrefix: host.split(".")[0]!,
      http: {
        method: request.method,
        path: request.path,
        protocol: "HTTP/1.1",
        sourceIp: plainIp(request.sourceIp),
        userAgent: headers["user-agent"] ?? "",
      },
      // An HTTP API's request id has the short form a REST API gives its extended id.
      requestId: httpApiRequestIdOf(request.requestId),
      routeKey: request.routeKey,
      stage: request.stage,
      time: requestTimeOf(request.requestTimeEpoch),
      timeEpoch: request.requestTimeEpoch,
    },
    ...(Object.keys(request.pathParameters).length > 0 && { pathParameters: request.pathParameters }),
    ...(request.body !== "" && { body: request.body }),
    isBase64Encoded: false,
  };
}

/** `apigw-requestid` and `requestContext.requestId`: "LV7fzho-PHcEJPw=" in AWS's example event. */
export function httpApiRequestIdOf(requestId: string): string {
  return extendedRequestIdOf(requestId).replace(/\//g, "-");
}

function headersV2Of(sent: readonly SentHeader[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of sent) {
    const key = name.toLowerCase();
    if (key === "cookie") cookies.push(...value.split(/;\s*/).filter(Boolean));
    else headers[key] = key in headers ? `${headers[key]},${value}` : value;
  }
  return { headers, cookies };
}


/**
 * A function's answer under payload format 2.0, as API Gateway reads it: an object with a
 * statusCode is the response (headers, cookies as Set-Cookie, a base64 body decoded); anything
 * else that is valid JSON (an object without statusCode, a string, a number) is a 200 with
 * content-type application/json and that JSON as the body. Undefined for an answer API Gateway
 * cannot read (a statusCode that is not a number), which it answers 500.
 */
export function responseV2Of(payload: unknown): ApiResponse | undefined {
  const result = payload as { statusCode?: unknown; headers?: Record<string, unknown>; cookies?: unknown[]; body?: unknown; isBase64Encoded?: boolean } | null;
  if (result === null || typeof result !== "object" || !("statusCode" in result)) {
    return { statusCode: 200, headers: { "content-type": "application/json" }, body: payload === undefined ? "" : JSON.stringify(payload) };
  }
  const statusCode = Number(result.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  const headers: Record<string, string | string[]> = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
  if (Array.isArray(result.cookies) && result.cookies.length > 0) headers["set-cookie"] = result.cookies.map(String);
  const body = typeof result.body === "string" ? result.body : result.body === undefined ? "" : JSON.stringify(result.body);
  return { statusCode, headers: headers as Record<string, string>, body: result.isBase64Encoded ? Buffer.from(body, "base64") : body };
}
