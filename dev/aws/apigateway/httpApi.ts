import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { LocalAwsError } from "../errors.ts";
import type { GatewayResponseDefinition } from "../cloudformation/serviceModel.ts";
import type { ApiRequest, ApiResponse, RouteHandler } from "./apiTypes.ts";
import { gatewayResponse } from "./gatewayResponses.ts";

export interface ApiRoute {
  method: string;
  /** "/items/{itemId}" */
  path: string;
  handle: RouteHandler;
}

export interface HttpApiSettings {
  port: number;
  host?: string;
  routes: ApiRoute[];
  gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>;
  /** Local-only endpoints under /_local/, never part of the deployed API. */
  localEndpoints: Record<string, () => unknown>;
}

/** API Gateway's payload limit for REST APIs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

interface CompiledRoute extends ApiRoute {
  pattern: RegExp;
  parameterNames: string[];
}

/** The local API Gateway: one port, the template's routes, plus /_local/* for tools. */
export async function startHttpApi(settings: HttpApiSettings): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const routes = settings.routes.map(compileRoute);
  const server = createServer((request, response) => {
    handle(request, routes, settings)
      .then((result) => send(response, result))
      .catch((error: Error) => {
        console.error(`local API: ${request.method} ${request.url} failed: ${error.stack ?? error.message}`);
        send(response, { statusCode: 500, body: '{"message": "Internal server error"}' });
      });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new LocalAwsError(`port ${settings.port} (the HTTP API) is taken: is another \`npm run dev\` running? Stop it, or pass --port`)
          : error,
      ),
    );
    server.listen(settings.port, settings.host ?? "127.0.0.1", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : settings.port;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(request: IncomingMessage, routes: CompiledRoute[], settings: HttpApiSettings): Promise<ApiResponse> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const requestId = randomUUID();
  const errorResponse = (type: "MISSING_AUTHENTICATION_TOKEN" | "REQUEST_TOO_LARGE") => ({
    ...gatewayResponse(type, settings.gatewayResponses, { requestId }),
    headers: { "content-type": "application/json", "x-amzn-requestid": requestId },
  });

  const localEndpoint = request.method === "GET" ? settings.localEndpoints[url.pathname] : undefined;
  if (localEndpoint) {
    return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(await localEndpoint()) };
  }

  const match = matchRoute(routes, request.method ?? "GET", url.pathname);
  if (!match) {
    request.resume();
    return errorResponse("MISSING_AUTHENTICATION_TOKEN");
  }
  const body = await readBody(request);
  if (body === undefined) return errorResponse("REQUEST_TOO_LARGE");

  const apiRequest: ApiRequest = {
    method: request.method ?? "GET",
    path: url.pathname,
    pathParameters: match.pathParameters,
    query: url.searchParams,
    headers: Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(",") : (value ?? "")]),
    ),
    body,
    requestId,
    requestTimeEpoch: Date.now(),
    sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
  };
  const response = await match.route.handle(apiRequest);
  return { ...response, headers: { ...response.headers, "x-amzn-requestid": requestId } };
}

function matchRoute(
  routes: CompiledRoute[],
  method: string,
  path: string,
): { route: CompiledRoute; pathParameters: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method && route.method !== "ANY") continue;
    const found = route.pattern.exec(path);
    if (!found) continue;
    const pathParameters = Object.fromEntries(
      route.parameterNames.map((name, index) => [name, decodedSegment(found[index + 1]!)]),
    );
    return { route, pathParameters };
  }
  return undefined;
}

/**
 * A path parameter as the integration sees it. A segment that is not valid percent-encoded UTF-8
 * (an overlong `%C0%80`) reaches it as sent, for the integration to refuse, rather than failing
 * the whole request.
 */
function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function compileRoute(route: ApiRoute): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path.replace(/\{([^}+]+)(\+?)\}/g, (_match, name: string, greedy: string) => {
    parameterNames.push(name);
    return greedy ? "(.+)" : "([^/]+)";
  });
  return { ...route, pattern: new RegExp(`^${source}/?$`), parameterNames };
}

/** The body as text, or undefined once it passes API Gateway's limit. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  // An oversized body is still read to its end, so the client gets the 413 instead of a reset.
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, result: ApiResponse): void {
  response.writeHead(result.statusCode, result.headers);
  response.end(result.body);
}
