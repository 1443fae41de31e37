import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { ApiResponse } from "../apigateway/apiTypes.ts";
import { withRequestEntry, type RequestEntry } from "../apigateway/httpApi.ts";
import { closeServer, readBody, send, sentHeadersOf } from "../apigateway/serverParts.ts";
import { LocalAwsError } from "../errors.ts";
import type { BoundedRing } from "../lambda/boundedRing.ts";
import type { CorsPolicy } from "./cors.ts";
import { httpApiError, type HttpApiHandler, type HttpApiRequest } from "./httpApiTypes.ts";
import { httpApiRequestIdOf } from "./payloadV2.ts";
import { routeSelector } from "./routeSelection.ts";

/** A route as served: its key and its handler, authorizer and throttle included. */
export interface ServedRoute {
  routeKey: string;
  handle: HttpApiHandler;
}

export interface HttpApiServerSettings {
  port: number;
  host?: string;
  stageName: string;
  routes: ServedRoute[];
  cors?: CorsPolicy;
  /** The console's trace: the REST API's ring, so one trace lists both APIs' requests. */
  requests: BoundedRing<RequestEntry>;
}

const BODY_CHARS = 400;

/**
 * The local HTTP API: its own port, as an HTTP API has its own endpoint apart from a REST API's.
 * It answers what API Gateway answers itself (preflights, 404 Not Found, 413) and hands the rest
 * to the selected route; every answer names its request id in `apigw-requestid`, as AWS's do.
 *
 * @example
 * const api = await startHttpApiServer({ port: 0, stageName: "$default", routes, requests });
 * await fetch(`${api.url}/items/7`);
 */
export async function startHttpApiServer(settings: HttpApiServerSettings): Promise<{ url: string; setRoutes(routes: ServedRoute[]): void; close(): Promise<void> }> {
  let select = routeSelector(settings.routes);
  const server = createServer((request, response) => {
    const requestId = randomUUID();
    handle(request, requestId, select, settings)
      .catch((error: Error) => {
        console.error(`local HTTP API: ${request.method} ${request.url} failed: ${error.stack ?? error.message}`);
        return httpApiError("internalServerError");
      })
      .then((answer) => send(response, { ...answer, headers: { ...answer.headers, "apigw-requestid": httpApiRequestIdOf(requestId) } }));
  });
  server.keepAliveTimeout = 65_000;
  await listen(server, settings);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : settings.port;
  return {
    url: `http://127.0.0.1:${port}`,
    setRoutes(routes) {
      select = routeSelector(routes);
    },
    close: () => closeServer(server),
  };
}

async function handle(request: IncomingMessage, requestId: string, select: ReturnType<typeof routeSelector<ServedRoute>>, settings: HttpApiServerSettings): Promise<ApiResponse> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const method = request.method ?? "GET";
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(",") : (value ?? "")]),
  );
  const preflight = settings.cors?.preflight(method, headers);
  if (preflight) {
    request.resume();
    return preflight;
  }
  const routePath = pathWithinStage(url.pathname, settings.stageName);
  const selected = routePath === undefined ? undefined : select(method, routePath);
  const entry: RequestEntry = { requestId, time: Date.now(), method, path: url.pathname, route: selected?.route.routeKey ?? null, statusCode: null, durationMs: null, body: "", sentMessageIds: [] };
  settings.requests.push(entry);
  const answered = (response: ApiResponse) => {
    entry.statusCode = response.statusCode;
    entry.durationMs = Date.now() - entry.time;
    return settings.cors ? settings.cors.withCorsHeaders(response, headers.origin) : response;
  };
  if (!selected || routePath === undefined) {
    request.resume();
    return answered(httpApiError("notFound"));
  }
  const body = await readBody(request);
  if (body === undefined) return answered(httpApiError("tooLarge"));
  entry.body = body.slice(0, BODY_CHARS);
  const apiRequest: HttpApiRequest = {
    method,
    path: decodedPath(url.pathname),
    rawPath: url.pathname,
    routePath: decodedPath(routePath),
    rawQueryString: url.search.slice(1),
    routeKey: selected.route.routeKey,
    stage: settings.stageName,
    pathParameters: selected.pathParameters,
    query: url.searchParams,
    headers,
    sentHeaders: sentHeadersOf(request.rawHeaders),
    body,
    requestId,
    requestTimeEpoch: entry.time,
    sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
  };
  return answered(await withRequestEntry(entry, () => selected.route.handle(apiRequest)));
}

/** The path a route sees: a named stage is the first segment of the URL, `$default` none. */
function pathWithinStage(path: string, stageName: string): string | undefined {
  if (stageName === "$default") return path;
  const prefix = `/${stageName}`;
  if (path === prefix) return "/";
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}

function decodedPath(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

function listen(server: Server, { port, host }: HttpApiServerSettings): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new LocalAwsError(`port ${port} (the HTTP API of httpApi events) is taken: is another \`npm run dev\` running? Stop it, or give the option httpApiPort`) : error),
    );
    server.listen(port, host ?? "127.0.0.1", resolve);
  });
}
