import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";

export function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/** A request header by name; API Gateway passes them in the client's own casing. */
export function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const found = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
  return found?.[1] ?? undefined;
}

/**
 * An absolute URL on this API. The stage prefix is whatever API Gateway put before the resource
 * path ("/dev" on the execute-api domain, nothing behind a custom domain or locally).
 */
export function urlOnThisApi(event: APIGatewayProxyEvent, path: string): string {
  const prefix = event.requestContext.path.slice(0, event.requestContext.path.length - event.path.length);
  const protocol = headerOf(event, "x-forwarded-proto") ?? "https";
  return `${protocol}://${headerOf(event, "host") ?? event.requestContext.domainName}${prefix}${path}`;
}
