import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { BoundedRing } from "../lambda/boundedRing.ts";
import { LocalAwsError } from "../errors.ts";
import type { GatewayResponseDefinition } from "./restApiModel.ts";
import type { ApiRequest, ApiResponse, RouteHandler } from "./apiTypes.ts";
import { gatewayResponse } from "./gatewayResponses.ts";
import { extendedRequestIdOf } from "./requestIds.ts";
import { closeServer, readBody, send, sentHeadersOf } from "./serverParts.ts";

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
  /**
   * Serves the rest of /_local/ (the console): answers and returns true, or returns false for a
   * 404. Requests that change state (POST) from another origin never reach it.
   */
  localHandler?: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean>;
}

/** One request the API answered, as the console's trace shows it. */
export interface RequestEntry {
  requestId: string;
  time: number;
  method: string;
  path: string;
  /** The route that matched, as the template names it ("POST /items/{itemId}"); null for none. */
  route: string | null;
  statusCode: number | null;
  durationMs: number | null;
  /** Cut to BODY_CHARS: enough to find an id in it. */
  body: string;
  /** Messages its integration sent to SQS. */
  sentMessageIds: string[];
}

const REQUESTS_KEPT = 5_000;
const BODY_CHARS = 400;
const currentRequest = new AsyncLocalStorage<RequestEntry>();

/**
 * Notes a message an integration sent on the request being handled, so a trace goes from the
 * request to its message; outside a request it does nothing.
 */
export function noteSentMessage(messageId: string): void {
  currentRequest.getStore()?.sentMessageIds.push(messageId);
}

/** Runs an integration with its trace entry current, so the messages it sends are noted on it. */
export const withRequestEntry = <T>(entry: RequestEntry, work: () => Promise<T>): Promise<T> => currentRequest.run(entry, work);

interface CompiledRoute extends ApiRoute {
  pattern: RegExp;
  parameterNames: string[];
}

/** The local API Gateway: one port, the template's routes, plus /_local/* for tools. */
export async function startHttpApi(
  settings: HttpApiSettings,
): Promise<{
  url: string;
  server: Server;
  requests: BoundedRing<RequestEntry>;
  /** Serves these routes from the next request on; one already running finishes on its route. */
  setRoutes(routes: ApiRoute[]): void;
  close(): Promise<void>;
}> {
  let routes = settings.routes.map(compileRoute);
  const requests = new BoundedRing<RequestEntry>(REQUESTS_KEPT);
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (settings.localHandler && (path === "/_local" || path.startsWith("/_local/")) && !settings.localEndpoints[path]) {
      serveLocal(request, url, response, settings.localHandler).catch((error: Error) => {
        console.error(`local API: ${request.method} ${request.url} failed: ${error.stack ?? error.message}`);
        if (!response.headersSent) send(response, { statusCode: 500, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: error.message }) });
        else response.end();
      });
      return;
    }
    handle(request, url, routes, settings, requests)
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
    requests,
    setRoutes(next) {
      routes = next.map(compileRoute);
    },
    close: () => closeServer(server),
  };
}

/**
 * The console's part of /_local/. It listens on the loopback only, but a page of any other site
 * the browser has open can still send it requests: those that change state must come from its
 * own origin, and a Host other than the loopback (DNS rebinding) is refused outright.
 */
async function serveLocal(
  request: IncomingMessage,
  url: URL,
  response: ServerResponse,
  localHandler: NonNullable<HttpApiSettings["localHandler"]>,
): Promise<void> {
  const host = request.headers.host ?? "";
  if (!/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host)) {
    return send(response, forbidden(`the local console answers on 127.0.0.1 or localhost only, not ${host}`));
  }
  if (request.method !== "GET" && request.method !== "HEAD" && fromAnotherOrigin(request, host)) {
    request.resume();
    return send(response, forbidden("a request that changes the local stack must come from the console's own page"));
  }
  if (url.pathname === "/_local") {
    response.writeHead(308, { location: "/_local/" });
    response.end();
    return;
  }
  if (!(await localHandler(request, response, url))) {
    request.resume();
    send(response, { statusCode: 404, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: `no local endpoint ${request.method} ${url.pathname}` }) });
  }
}

/** Origin when the browser sends it; else Sec-Fetch-Site; a client that sends neither (curl) is no page. */
function fromAnotherOrigin(request: IncomingMessage, host: string): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined) return origin !== `http://${host}`;
  const site = request.headers["sec-fetch-site"];
  return site !== undefined && site !== "same-origin" && site !== "none";
}

function forbidden(message: string): ApiResponse {
  return { statusCode: 403, headers: { "content-type": "application/json" }, body: JSON.stringify({ message }) };
}

async function handle(
  request: IncomingMessage,
  url: URL,
  routes: CompiledRoute[],
  settings: HttpApiSettings,
  requests: BoundedRing<RequestEntry>,
): Promise<ApiResponse> {
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
  const entry: RequestEntry = {
    requestId,
    time: Date.now(),
    method: request.method ?? "GET",
    path: url.pathname,
    route: match ? `${match.route.method} ${match.route.path}` : null,
    statusCode: null,
    durationMs: null,
    body: "",
    sentMessageIds: [],
  };
  requests.push(entry);
  const answered = (response: ApiResponse): ApiResponse => {
    entry.statusCode = response.statusCode;
    entry.durationMs = Date.now() - entry.time;
    return response;
  };
  if (!match) {
    request.resume();
    return answered(errorResponse("MISSING_AUTHENTICATION_TOKEN"));
  }
  const body = await readBody(request);
  if (body === undefined) return answered(errorResponse("REQUEST_TOO_LARGE"));
  entry.body = body.slice(0, BODY_CHARS);

  const apiRequest: ApiRequest = {
    method: request.method ?? "GET",
    path: url.pathname,
    pathParameters: match.pathParameters,
    query: url.searchParams,
    headers: Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(",") : (value ?? "")]),
    ),
    sentHeaders: sentHeadersOf(request.rawHeaders),
    body,
    requestId,
    requestTimeEpoch: Date.now(),
    sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
  };
  const response = await currentRequest.run(entry, () => match.route.handle(apiRequest));
  // API Gateway names both of its request ids on every answer of a REST API.
  return answered({ ...response, headers: { ...response.headers, "x-amzn-requestid": requestId, "x-amz-apigw-id": extendedRequestIdOf(requestId) } });
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
