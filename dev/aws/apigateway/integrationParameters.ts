import { LocalAwsError } from "../errors.ts";
import { CONTEXT_VARIABLES, contextVariable, jsonPath, type TemplateRequest } from "./mappingTemplates.ts";

/** Where a mapped value comes from, read once from the template's `RequestParameters`/`ResponseParameters`. */
export type ParameterSource =
  | { from: "static"; value: string }
  | { from: "method.request.body"; jsonPath?: string }
  | { from: "method.request"; location: "path" | "querystring" | "header"; name: string }
  | { from: "context"; name: string }
  | { from: "integration.response.header"; name: string }
  | { from: "integration.response.body"; jsonPath?: string };

/** `integration.request.querystring.Action` ← `'SendMessage'`, parsed. */
export interface RequestParameterMapping {
  location: "querystring" | "header";
  name: string;
  source: ParameterSource;
}

/** `method.response.header.Access-Control-Allow-Origin` ← `'*'`, parsed. */
export interface ResponseParameterMapping {
  header: string;
  source: ParameterSource;
}

/** What the backend answered, as response parameter mappings read it. */
export interface IntegrationAnswer {
  headers: Record<string, string>;
  body: string;
}

const REQUEST_SOURCES =
  "'static', method.request.body, method.request.body.JSONPath, method.request.path.X, method.request.querystring.X, " +
  `method.request.header.X and context.X (X one of ${CONTEXT_VARIABLES.join(", ")}, authorizer.claims.<claim>, authorizer.principalId, authorizer.<context key>)`;
const RESPONSE_SOURCES = "'static', integration.response.header.X, integration.response.body and integration.response.body.JSONPath";

/**
 * Reads an integration's `RequestParameters`, failing the start on a mapping the local stack
 * cannot run (stage variables, multi-value parameters, path targets), so nothing is silently
 * left out of the backend call.
 *
 * @example
 * readRequestParameters("PostItems (POST /items)", { "integration.request.querystring.Action": "'SendMessage'" });
 * // [{ location: "querystring", name: "Action", source: { from: "static", value: "SendMessage" } }]
 */
export function readRequestParameters(method: string, parameters: Record<string, unknown>): RequestParameterMapping[] {
  return Object.entries(parameters).map(([target, source]) => {
    const targetMatch = /^integration\.request\.(querystring|header)\.(.+)$/.exec(target);
    const parsed = parseSource(String(source), "request");
    if (!targetMatch || !parsed) {
      throw new LocalAwsError(
        `${method}: the integration request parameter ${target} <- ${JSON.stringify(source)} is not emulated; ` +
          `the local stack maps integration.request.querystring.X and integration.request.header.X from ${REQUEST_SOURCES}`,
      );
    }
    return { location: targetMatch[1] as "querystring" | "header", name: targetMatch[2]!, source: parsed };
  });
}

/**
 * Reads an integration response's `ResponseParameters`, failing the start on a mapping the local
 * stack cannot run.
 *
 * @example
 * readResponseParameters("PostItems (POST /items)", { "method.response.header.Access-Control-Allow-Origin": "'*'" });
 * // [{ header: "Access-Control-Allow-Origin", source: { from: "static", value: "*" } }]
 */
export function readResponseParameters(method: string, parameters: Record<string, unknown>): ResponseParameterMapping[] {
  return Object.entries(parameters).map(([target, source]) => {
    const targetMatch = /^method\.response\.header\.(.+)$/.exec(target);
    const parsed = parseSource(String(source), "response");
    if (!targetMatch || !parsed) {
      throw new LocalAwsError(
        `${method}: the integration response parameter ${target} <- ${JSON.stringify(source)} is not emulated; ` +
          `the local stack maps method.response.header.X from ${RESPONSE_SOURCES}`,
      );
    }
    return { header: targetMatch[1]!, source: parsed };
  });
}

function parseSource(source: string, side: "request" | "response"): ParameterSource | undefined {
  const trimmed = source.trim();
  // CloudFormation and OpenAPI write static values in single quotes.
  if (/^'.*'$/s.test(trimmed)) return { from: "static", value: trimmed.slice(1, -1) };
  if (side === "request") {
    const body = /^method\.request\.body(?:\.(.+))?$/.exec(trimmed);
    if (body) return { from: "method.request.body", ...(body[1] !== undefined && { jsonPath: `$.${body[1]}` }) };
    const parameter = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(trimmed);
    if (parameter) return { from: "method.request", location: parameter[1] as "path" | "querystring" | "header", name: parameter[2]! };
    const context = /^context\.(.+)$/.exec(trimmed);
    if (context && ((CONTEXT_VARIABLES as readonly string[]).includes(context[1]!) || /^authorizer\.(claims\.)?[^.]+$/.test(context[1]!))) {
      return { from: "context", name: context[1]! };
    }
    return undefined;
  }
  const header = /^integration\.response\.header\.(.+)$/.exec(trimmed);
  if (header) return { from: "integration.response.header", name: header[1]! };
  const body = /^integration\.response\.body(?:\.(.+))?$/.exec(trimmed);
  if (body) return { from: "integration.response.body", ...(body[1] !== undefined && { jsonPath: `$.${body[1]}` }) };
  return undefined;
}

/**
 * The backend call's query string and headers, as the integration request parameters map them
 * from the method request. A parameter the request lacks is left out, as on AWS.
 *
 * @example
 * integrationRequestParameters(mappings, templateRequest).querystring.get("MessageBody"); // the raw method body
 */
export function integrationRequestParameters(
  mappings: readonly RequestParameterMapping[],
  request: TemplateRequest,
): { querystring: URLSearchParams; headers: Record<string, string> } {
  const querystring = new URLSearchParams();
  const headers: Record<string, string> = {};
  for (const { location, name, source } of mappings) {
    const value = requestValue(source, request);
    if (value === undefined) continue;
    if (location === "querystring") querystring.set(name, value);
    else headers[name.toLowerCase()] = value;
  }
  return { querystring, headers };
}

function requestValue(source: ParameterSource, request: TemplateRequest): string | undefined {
  switch (source.from) {
    case "static":
      return source.value;
    case "method.request.body":
      return source.jsonPath === undefined ? request.body : jsonText(jsonPath(request.body, source.jsonPath));
    case "method.request":
      // The local server reads header names in lower case.
      return request.parameters[source.location][source.location === "header" ? source.name.toLowerCase() : source.name];
    case "context":
      return contextVariable(request, source.name);
    default:
      return undefined;
  }
}

/**
 * The method response headers that the selected integration response's parameters map, from
 * static values or the backend's answer.
 *
 * @example
 * methodResponseHeaders([{ header: "Access-Control-Allow-Origin", source: { from: "static", value: "*" } }], answer);
 * // { "Access-Control-Allow-Origin": "*" }
 */
export function methodResponseHeaders(mappings: readonly ResponseParameterMapping[], answer: IntegrationAnswer): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { header, source } of mappings) {
    const value =
      source.from === "static"
        ? source.value
        : source.from === "integration.response.header"
          ? answer.headers[source.name.toLowerCase()]
          : source.from === "integration.response.body"
            ? source.jsonPath === undefined
              ? answer.body
              : jsonText(jsonPath(answer.body, source.jsonPath))
            : undefined;
    if (value !== undefined) headers[header] = value;
  }
  return headers;
}

/** A JSONPath result as a mapping passes it on: strings as they are, anything else as JSON. */
function jsonText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}
