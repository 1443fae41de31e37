import type { APIGatewayProxyEvent } from "aws-lambda";
import type { ApiRequest, SentHeader } from "./apiTypes.ts";
import { extendedRequestIdOf } from "./requestIds.ts";

export interface ProxyEventSettings {
  stage: string;
  accountId: string;
}

/**
 * The event a REST API's Lambda proxy integration (payload 1.0) hands the function for one
 * request, key for key as AWS builds it (proxyEvent.test.ts holds it against an event recorded
 * on AWS): header names as the client wrote them, the last value of a repeated header or query
 * parameter in the single-value maps and every value in the multi-value ones, and the request
 * context with its time, identity and ids.
 *
 * @example
 * const event = proxyEventOf(request, "/items/{itemId}", { stage: "local", accountId: "000000000000" });
 * event.headers["Content-Type"]; // "application/json", as the client sent it
 */
export function proxyEventOf(request: ApiRequest, resourcePath: string, { stage, accountId }: ProxyEventSettings): APIGatewayProxyEvent {
  const { headers, multiValueHeaders } = proxyHeadersOf(forwardedHeaders(request));
  const query = [...new Set(request.query.keys())];
  const host = request.headers.host?.replace(/:\d+$/, "") ?? "127.0.0.1";
  return {
    resource: resourcePath,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.length ? Object.fromEntries(query.map((key) => [key, request.query.getAll(key).at(-1)!])) : null,
    multiValueQueryStringParameters: query.length ? Object.fromEntries(query.map((key) => [key, request.query.getAll(key)])) : null,
    pathParameters: Object.keys(request.pathParameters).length ? request.pathParameters : null,
    // The template declares none, and the local stack has one stage per run.
    stageVariables: null,
    requestContext: requestContextOf(request, resourcePath, { stage, accountId }, host),
    body: request.body === "" ? null : request.body,
    isBase64Encoded: false,
  };
}

/** `requestContext`: where the request came in (stage, resource, domain), when, and from whom. */
function requestContextOf(request: ApiRequest, resourcePath: string, { stage, accountId }: ProxyEventSettings, host: string): APIGatewayProxyEvent["requestContext"] {
  // A variable, not a literal in the event: @types/aws-lambda lacks deploymentId, which AWS sends.
  const requestContext = {
    resourceId: LOCAL_ID,
    resourcePath,
    httpMethod: request.method,
    extendedRequestId: extendedRequestIdOf(request.requestId),
    requestTime: requestTimeOf(request.requestTimeEpoch),
    // The local API has no stage prefix in its URLs, like a custom domain mapped to the stage.
    path: request.path,
    accountId,
    protocol: "HTTP/1.1",
    stage,
    domainPrefix: host.split(".")[0]!,
    requestTimeEpoch: request.requestTimeEpoch,
    requestId: request.requestId,
    identity: {
      cognitoIdentityPoolId: null,
      accountId: null,
      cognitoIdentityId: null,
      caller: null,
      sourceIp: plainIp(request.sourceIp),
      principalOrgId: null,
      accessKey: null,
      cognitoAuthenticationType: null,
      cognitoAuthenticationProvider: null,
      userArn: null,
      userAgent: request.headers["user-agent"] ?? null,
      user: null,
      // AWS names the keys only on a method that requires one (aws-lambda-go's apigw-request.json).
      ...(request.apiKey && { apiKey: request.apiKey.value, apiKeyId: request.apiKey.id }),
      // @types/aws-lambda requires apiKey, apiKeyId and clientCert, which AWS leaves out of
      // the events it sends without a key or a client certificate.
    } as APIGatewayProxyEvent["requestContext"]["identity"],
    domainName: host,
    deploymentId: LOCAL_ID,
    apiId: LOCAL_ID,
    // What the method's authorizer passed: a Cognito authorizer's claims, every value a string, or
    // a Lambda authorizer's principalId, context and integrationLatency. Without one AWS sends no
    // key; undefined is dropped as the event crosses to the function as JSON.
    authorizer: request.authorizer,
  };
  return requestContext;
}

/** The id the local stack gives its one API, its deployment and its resources. */
export const LOCAL_ID = "local";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * `requestContext.requestTime` as API Gateway writes it (its access logs' `$context.requestTime`),
 * always in UTC.
 *
 * @example
 * requestTimeOf(Date.UTC(2015, 3, 9, 12, 34, 56)); // "09/Apr/2015:12:34:56 +0000"
 */
export function requestTimeOf(epochMs: number): string {
  const time = new Date(epochMs);
  const two = (value: number) => String(value).padStart(2, "0");
  const date = `${two(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}`;
  return `${date}:${two(time.getUTCHours())}:${two(time.getUTCMinutes())}:${two(time.getUTCSeconds())} +0000`;
}

/**
 * `headers` and `multiValueHeaders` of the proxy event. Names keep the case the client wrote
 * (`event.headers["Content-Type"]` works as on AWS); spellings of one name that differ in case
 * count as one header, under the first one's spelling, since HTTP names are case-insensitive.
 */
export function proxyHeadersOf(sent: readonly SentHeader[]): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const spelling = new Map<string, string>();
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of sent) {
    const key = spelling.get(name.toLowerCase()) ?? name;
    spelling.set(name.toLowerCase(), key);
    (multiValueHeaders[key] ??= []).push(value);
  }
  const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1)!]));
  return { headers, multiValueHeaders };
}

/**
 * The client's headers with the X-Forwarded-* that API Gateway's front end adds: the client's
 * address appended to X-Forwarded-For, and the port and protocol it reached the API on.
 */
export function forwardedHeaders(request: Pick<ApiRequest, "sentHeaders" | "headers" | "sourceIp">): SentHeader[] {
  const isForwarded = (name: string) => /^x-forwarded-(for|port|proto)$/i.test(name);
  const forwardedFor = request.sentHeaders.filter(([name]) => /^x-forwarded-for$/i.test(name)).map(([, value]) => value);
  const port = /:(\d+)$/.exec(request.headers.host ?? "")?.[1] ?? "80";
  return [
    ...request.sentHeaders.filter(([name]) => !isForwarded(name)),
    ["X-Forwarded-For", [...forwardedFor, plainIp(request.sourceIp)].join(", ")],
    ["X-Forwarded-Port", port],
    ["X-Forwarded-Proto", "http"],
  ];
}

/** An IPv4 client as AWS names it: a dual-stack socket reports it as `::ffff:127.0.0.1`. */
export function plainIp(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
}
