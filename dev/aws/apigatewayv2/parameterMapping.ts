import { LocalAwsError } from "../errors.ts";
import { requestTimeOf } from "../apigateway/proxyEvent.ts";
import type { HttpApiRequest } from "./httpApiTypes.ts";
import { httpApiRequestIdOf } from "./payloadV2.ts";

/** One mapped value: read from the request each time. */
export type MappedValue = (request: HttpApiRequest) => string;

export interface MappingSettings {
  accountId: string;
  apiId: string;
}

/** `$context.X` an HTTP API's parameter mapping may read, as "Customize HTTP API access logs" names them. */
const CONTEXT_VARIABLES: Record<string, (request: HttpApiRequest, settings: MappingSettings) => string> = {
  accountId: (_request, { accountId }) => accountId,
  apiId: (_request, { apiId }) => apiId,
  domainName: (request) => request.headers.host?.replace(/:\d+$/, "") ?? "127.0.0.1",
  httpMethod: (request) => request.method,
  path: (request) => request.path,
  protocol: () => "HTTP/1.1",
  requestId: (request) => httpApiRequestIdOf(request.requestId),
  requestTime: (request) => requestTimeOf(request.requestTimeEpoch),
  requestTimeEpoch: (request) => String(request.requestTimeEpoch),
  routeKey: (request) => request.routeKey,
  stage: (request) => request.stage,
  "identity.sourceIp": (request) => request.sourceIp.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1"),
  "identity.userAgent": (request) => request.headers["user-agent"] ?? "",
};

/**
 * A request parameter's value as "Transform API requests and responses for HTTP APIs" defines
 * it: `$request.header.name`, `$request.querystring.name`, `$request.body` or
 * `$request.body.a.b` (a JSON path), `$request.path`, `$request.path.name`, `$context.name`, a
 * static string, or text holding `${…}` variables. What it cannot read is refused at start, naming
 * it; a value the request lacks is empty.
 *
 * @example
 * const value = mappedValue("$request.body.name", settings, "QueueIntegration MessageBody");
 * value(request); // "Ada", for a body {"name":"Ada"}
 */
export function mappedValue(source: string, settings: MappingSettings, where: string): MappedValue {
  const whole = /^\$((?:request|context|stageVariables)\.[A-Za-z0-9._:-]+|request\.body|request\.path)$/.exec(source);
  if (whole) return variable(whole[1]!, settings, where);
  const parts: Array<string | MappedValue> = [];
  let last = 0;
  for (const match of source.matchAll(/\$\{([^}]+)\}/g)) {
    parts.push(source.slice(last, match.index), variable(match[1]!, settings, where));
    last = match.index + match[0].length;
  }
  parts.push(source.slice(last));
  return (request) => parts.map((part) => (typeof part === "string" ? part : part(request))).join("");
}

function variable(name: string, settings: MappingSettings, where: string): MappedValue {
  const [source, ...rest] = name.split(".");
  const key = rest.join(".");
  if (source === "request") {
    const [location, ...path] = rest;
    const field = path.join(".");
    if (location === "header" && field) return (request) => request.headers[field.toLowerCase()] ?? "";
    if (location === "querystring" && field) return (request) => request.query.getAll(field).join(",");
    if (location === "path") return field ? (request) => request.pathParameters[field] ?? "" : (request) => request.routePath;
    if (location === "body") return field ? (request) => bodyField(request.body, path) : (request) => request.body;
  }
  if (source === "context") {
    const read = CONTEXT_VARIABLES[key];
    if (read) return (request) => read(request, settings);
    const claim = /^authorizer\.claims\.(.+)$/.exec(key)?.[1];
    if (claim) return (request) => request.jwt?.claims[claim] ?? "";
  }
  throw new LocalAwsError(
    `${where}: the mapping source $${name} is not emulated; use $request.header|querystring|path|body[.name] or $context.(${Object.keys(CONTEXT_VARIABLES).join("|")}|authorizer.claims.X)`,
  );
}

/** `$request.body.a.b`: the field as text (JSON for an object), "" when missing or the body is no JSON. */
function bodyField(body: string, path: readonly string[]): string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return "";
  }
  for (const step of path) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[step] : undefined;
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}
