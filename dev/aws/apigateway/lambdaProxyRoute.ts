import type { APIGatewayProxyResult } from "aws-lambda";
import type { FunctionRuntime } from "../lambda/functionRuntime.ts";
import type { GatewayResponseDefinition, LambdaProxyRoute } from "./restApiModel.ts";
import type { ApiRequest, ApiResponse, RouteHandler } from "./apiTypes.ts";
import { gatewayResponse, type GatewayResponseType } from "./gatewayResponses.ts";
import { proxyEventOf } from "./proxyEvent.ts";

export interface LambdaProxySettings {
  stage: string;
  accountId: string;
  /** The template's customised gateway responses, for the answers API Gateway gives itself. */
  gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>;
}

const JSON_HEADERS = { "content-type": "application/json" };
/** Lambda's limit on a synchronous invocation's request: the whole event as JSON, not just the body. */
const MAX_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** An `http` event of serverless.yml: API Gateway's Lambda proxy integration (payload 1.0). */
export function lambdaProxyRoute(route: LambdaProxyRoute, target: FunctionRuntime, settings: LambdaProxySettings): RouteHandler {
  const gatewayError = (type: GatewayResponseType, request: ApiRequest): ApiResponse => {
    const { headers, ...response } = gatewayResponse(type, settings.gatewayResponses, { requestId: request.requestId, request });
    return { ...response, headers: { ...JSON_HEADERS, ...headers } };
  };
  return async (request) => {
    const event = proxyEventOf(request, route.path, settings);
    // API Gateway takes up to 10 MB, but Lambda refuses the invocation past 6 MB and the client gets a 413.
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_INVOCATION_PAYLOAD_BYTES) {
      return {
        statusCode: 413,
        headers: JSON_HEADERS,
        body: JSON.stringify({ message: `Request Too Long: a Lambda invocation takes at most ${MAX_INVOCATION_PAYLOAD_BYTES} bytes` }),
      };
    }
    const result = await target.invoke(event);
    switch (result.status) {
      case "succeeded":
        return proxyResponseOf(result.payload) ?? gatewayError("DEFAULT_5XX", request);
      case "throttled":
        return gatewayError("THROTTLED", request);
      default:
        // A function error or timeout reaches the client as API Gateway's own 502.
        return gatewayError("DEFAULT_5XX", request);
    }
  };
}

/** The function's answer; undefined when it is malformed, which AWS answers with a 502 whatever the handler meant. */
function proxyResponseOf(payload: unknown): ApiResponse | undefined {
  const result = payload as Partial<APIGatewayProxyResult> | null;
  if (!result || typeof result.statusCode !== "number") return undefined;
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]));
  const body = result.body ?? "";
  return { statusCode: result.statusCode, headers, body: result.isBase64Encoded ? Buffer.from(body, "base64") : body };
}
