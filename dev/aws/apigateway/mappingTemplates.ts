import { Compile, parse } from "velocityjs";
import { extendedRequestIdOf } from "./requestIds.ts";

/** The method request's parameters, keyed as `$input.params()` gives them. */
export interface MethodRequestParameters {
  path: Record<string, string>;
  querystring: Record<string, string>;
  /** Lower-case names: HTTP/1.1 and HTTP/2 clients differ in case, and the local server reads lower case. */
  header: Record<string, string>;
}

/** What an API Gateway mapping template sees of a request: the parts the emulated templates use. */
export interface TemplateRequest {
  body: string;
  requestId: string;
  requestTimeEpoch: number;
  httpMethod: string;
  resourcePath: string;
  stage: string;
  sourceIp: string;
  parameters: MethodRequestParameters;
  /** What the method's authorizer passed (`$context.authorizer`): a Cognito token's `claims`, a Lambda authorizer's principalId and context. */
  authorizer?: Record<string, unknown>;
  /** The API key the method's key check accepted. */
  apiKey?: { id: string; value: string };
}

/** What an integration response template asked through `$context.responseOverride`. */
export interface ResponseOverride {
  status?: number;
  header: Record<string, string>;
}

/** The `$context` variables the local stack knows, for `context.X` mappings and their check at start. */
export const CONTEXT_VARIABLES = [
  "requestId",
  "extendedRequestId",
  "requestTimeEpoch",
  "httpMethod",
  "resourcePath",
  "stage",
  "identity.sourceIp",
  "identity.apiKey",
  "identity.apiKeyId",
] as const;

/**
 * Renders an integration request or response template with the Velocity engine, giving it
 * API Gateway's `$input`, `$util` and `$context`, so the templates in the compiled template run
 * locally as written.
 *
 * @example
 * renderMappingTemplate("Action=SendMessage&MessageBody=$util.urlEncode($input.body)", request, request.body);
 */
export function renderMappingTemplate(template: string, request: TemplateRequest, payload: string): string {
  return renderResponseTemplate(template, request, payload).body;
}

/**
 * Renders an integration response template and returns, beside the body, what it set in
 * `$context.responseOverride.status` and `.header.<name>`. AWS applies those after the static
 * response parameters, and answers 500 when a template overrides the same one twice.
 *
 * @example
 * renderResponseTemplate('#set($context.responseOverride.header.Vary = "Origin")', request, "").override;
 * // { header: { Vary: "Origin" } }
 */
export function renderResponseTemplate(
  template: string,
  request: TemplateRequest,
  payload: string,
): { body: string; override: ResponseOverride; overriddenTwice: string[] } {
  const overriddenTwice: string[] = [];
  const header = setOnce({}, (name) => overriddenTwice.push(`header.${name}`));
  const responseOverride = setOnce({ header } as Record<string, unknown>, (name) => overriddenTwice.push(name));
  const body = compiled(template).render({
    input: {
      body: payload,
      json: (path: string) => JSON.stringify(jsonPath(payload, path) ?? null),
      path: (path: string) => jsonPath(payload, path) ?? "",
      params: (name?: string) => (name === undefined ? request.parameters : methodRequestParameter(request.parameters, name)),
    },
    util: {
      urlEncode: (value: string) => encodeURIComponent(value),
      urlDecode: (value: string) => decodeURIComponent(value),
      escapeJavaScript: (value: string) => JSON.stringify(String(value)).slice(1, -1),
      base64Encode: (value: string) => Buffer.from(value).toString("base64"),
      base64Decode: (value: string) => Buffer.from(value, "base64").toString(),
      parseJson: (value: string) => JSON.parse(value) as unknown,
    },
    context: { ...contextOf(request), responseOverride },
  });
  const status = responseOverride.status;
  return {
    body,
    override: {
      ...(status !== undefined && status !== null && status !== "" && { status: Number(status) }),
      header: Object.fromEntries(Object.entries(header).map(([name, value]) => [name, String(value)])),
    },
    overriddenTwice,
  };
}

/**
 * `$input.params(name)`: the path parameter, else the query string parameter, else the header of
 * that name, else "" (templates test `$x == ""`). Headers match in any case, since the local
 * server sees them in lower case whatever the client sent.
 *
 * @example
 * methodRequestParameter({ path: {}, querystring: {}, header: { origin: "https://a.example" } }, "Origin"); // "https://a.example"
 */
function methodRequestParameter(parameters: MethodRequestParameters, name: string): string {
  return parameters.path[name] ?? parameters.querystring[name] ?? parameters.header[name.toLowerCase()] ?? "";
}

/** `$context.X` or a `context.X` mapping: the value of a dotted name of CONTEXT_VARIABLES, or undefined. */
export function contextVariable(request: TemplateRequest, name: string): string | undefined {
  let value: unknown = contextOf(request);
  for (const key of name.split(".")) value = value === null || typeof value !== "object" ? undefined : (value as Record<string, unknown>)[key];
  return value === undefined ? undefined : String(value);
}

function contextOf(request: TemplateRequest): Record<string, unknown> {
  return {
    requestId: request.requestId,
    extendedRequestId: extendedRequestIdOf(request.requestId),
    requestTimeEpoch: request.requestTimeEpoch,
    httpMethod: request.httpMethod,
    resourcePath: request.resourcePath,
    stage: request.stage,
    identity: { sourceIp: request.sourceIp, apiKey: request.apiKey?.value ?? "", apiKeyId: request.apiKey?.id ?? "" },
    // Any claim or context key the authorizer did not pass renders empty, as on AWS.
    authorizer: { claims: {}, ...request.authorizer },
  };
}

/** An object that reports every property set a second time: AWS overrides are final. */
function setOnce<T extends Record<string, unknown>>(target: T, onSecondSet: (name: string) => void): T {
  return new Proxy(target, {
    set(object, name, value) {
      if (typeof name === "string" && Object.hasOwn(object, name)) onSecondSet(name);
      return Reflect.set(object, name, value);
    },
  });
}

/**
 * Java String methods templates call that JavaScript strings lack or mean otherwise: API
 * Gateway's Velocity runs on Java, where `matches` and `replaceAll` take a regex and `matches`
 * must match the whole string.
 */
const JAVA_STRING_METHODS: Record<string, (text: string, ...params: unknown[]) => unknown> = {
  matches: (text, regex) => new RegExp(`^(?:${String(regex)})$`).test(text),
  replaceAll: (text, regex, replacement) => text.replace(new RegExp(String(regex), "g"), String(replacement)),
  replaceFirst: (text, regex, replacement) => text.replace(new RegExp(String(regex)), String(replacement)),
  contains: (text, part) => text.includes(String(part)),
  equals: (text, other) => text === other,
  equalsIgnoreCase: (text, other) => typeof other === "string" && text.toLowerCase() === other.toLowerCase(),
  isEmpty: (text) => text.length === 0,
  length: (text) => text.length,
};

const TEMPLATE_CONFIG: NonNullable<ConstructorParameters<typeof Compile>[1]> = {
  customMethodHandlers: Object.entries(JAVA_STRING_METHODS).map(([name, method]) => ({
    uid: `java-string-${name}`,
    match: ({ property, context }) => property === name && typeof context === "string",
    resolve: ({ context, params }) => method(context as string, ...params),
  })),
};

const compiledTemplates = new Map<string, Compile>();

/** Parsing a template costs more than rendering it; a route's templates are parsed once. */
function compiled(template: string): Compile {
  let compiledTemplate = compiledTemplates.get(template);
  if (!compiledTemplate) {
    compiledTemplate = new Compile(parse(template), TEMPLATE_CONFIG);
    compiledTemplates.set(template, compiledTemplate);
  }
  return compiledTemplate;
}

/**
 * The subset of JSONPath templates and parameter mappings use: `$`, `$.a.b`, `$['a']`; undefined
 * when the payload is not JSON or the path leads nowhere.
 *
 * @example
 * jsonPath('{"a":{"b":1}}', "$.a.b"); // 1
 */
export function jsonPath(payload: string, path: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const keys = path.replace(/^\$/, "").match(/[^.[\]'"]+/g) ?? [];
  for (const key of keys) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
