import { Compile, parse } from "velocityjs";

/** What an API Gateway mapping template sees of a request: the parts the emulated templates use. */
export interface TemplateRequest {
  body: string;
  requestId: string;
  requestTimeEpoch: number;
  httpMethod: string;
  resourcePath: string;
  stage: string;
  sourceIp: string;
}

/**
 * Renders an integration request or response template with the Velocity engine, giving it
 * API Gateway's `$input`, `$util` and `$context`, so the templates in the compiled template run
 * locally as written.
 */
export function renderMappingTemplate(template: string, request: TemplateRequest, payload: string): string {
  return compiled(template).render({
    input: {
      body: payload,
      json: (path: string) => JSON.stringify(jsonPath(payload, path) ?? null),
      path: (path: string) => jsonPath(payload, path) ?? "",
    },
    util: {
      urlEncode: (value: string) => encodeURIComponent(value),
      urlDecode: (value: string) => decodeURIComponent(value),
      escapeJavaScript: (value: string) => JSON.stringify(String(value)).slice(1, -1),
      base64Encode: (value: string) => Buffer.from(value).toString("base64"),
      base64Decode: (value: string) => Buffer.from(value, "base64").toString(),
      parseJson: (value: string) => JSON.parse(value) as unknown,
    },
    context: contextOf(request),
  });
}

function contextOf(request: TemplateRequest): Record<string, unknown> {
  return {
    requestId: request.requestId,
    extendedRequestId: request.requestId,
    requestTimeEpoch: request.requestTimeEpoch,
    httpMethod: request.httpMethod,
    resourcePath: request.resourcePath,
    stage: request.stage,
    identity: { sourceIp: request.sourceIp },
  };
}

const compiledTemplates = new Map<string, Compile>();

/** Parsing a template costs more than rendering it; a route's templates are parsed once. */
function compiled(template: string): Compile {
  let compiledTemplate = compiledTemplates.get(template);
  if (!compiledTemplate) {
    compiledTemplate = new Compile(parse(template));
    compiledTemplates.set(template, compiledTemplate);
  }
  return compiledTemplate;
}

/** The subset of JSONPath templates use: `$`, `$.a.b`, `$['a']`. */
function jsonPath(payload: string, path: string): unknown {
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
