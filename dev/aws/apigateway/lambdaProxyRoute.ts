import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import type { FunctionRuntime } from "../lambda/functionRuntime.ts";
import type { GatewayResponseDefinition, LambdaProxyRoute } from "./restApiModel.ts";
import type { ApiRequest, ApiResponse, RouteHandler } from "./apiTypes.ts";
import { gatewayResponse, type GatewayResponseType } from "./gatewayResponses.ts";

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
  const gatewayError = (type: GatewayResponseType, request: ApiRequest): ApiResponse => ({
    ...gatewayResponse(type, settings.gatewayResponses, { requestId: request.requestId }),
    headers: JSON_HEADERS,
  });
  return async (request) => {
    const event = proxyEventOf(request, route, settings);
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

function proxyEventOf(request: ApiRequest, route: LambdaProxyRoute, { stage, accountId }: LambdaProxySettings): APIGatewayProxyEvent {
  const query = [...request.query.keys()];
  // API Gateway tells the function how the client reached it.
  const headers = { ...request.headers, "x-forwarded-proto": "http", "x-forwarded-for": request.sourceIp };
  return {
    resource: route.path,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: query.length ? Object.fromEntries(query.map((key) => [key, request.query.get(key)!])) : null,
    multiValueQueryStringParameters: query.length
      ? Object.fromEntries(query.map((key) => [key, request.query.getAll(key)]))
      : null,
    pathParameters: Object.keys(request.pathParameters).length ? request.pathParameters : null,
    stageVariables: null,
    body: request.body === "" ? null : request.body,
    isBase64Encoded: false,
    requestContext: {
      accountId,
      apiId: "local",
      // A Cognito authorizer hands the function the token's claims, every value a string.
      authorizer: request.authorizer ? { claims: request.authorizer.claims } : undefined,
      protocol: "HTTP/1.1",
      httpMethod: request.method,
      // The local API has no stage prefix in its URLs, like a custom domain mapped to the stage.
      path: request.path,
      domainName: request.headers.host ?? "127.0.0.1",
      stage,
      requestId: request.requestId,
      requestTimeEpoch: request.requestTimeEpoch,
      resourceId: "local",
      resourcePath: route.path,
      identity: {
        sourceIp: request.sourceIp,
        userAgent: request.headers["user-agent"] ?? null,
        accessKey: null,
        accountId: null,
        apiKey: request.apiKey?.value ?? null,
        apiKeyId: request.apiKey?.id ?? null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
    },
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
