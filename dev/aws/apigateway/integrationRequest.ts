import type { GatewayResponseDefinition, IntegrationRoute } from "./restApiModel.ts";
import type { ApiRequest, ApiResponse } from "./apiTypes.ts";
import { gatewayResponse, type GatewayResponseType } from "./gatewayResponses.ts";
import { renderMappingTemplate, type TemplateRequest } from "./mappingTemplates.ts";

const JSON_HEADERS = { "content-type": "application/json" };

/**
 * The request's media type as API Gateway selects a request template by it: without parameters,
 * lower case, and application/json when the client sent none.
 *
 * @example
 * requestContentType({ headers: { "content-type": "Text/Plain; charset=utf-8" } } as ApiRequest); // "text/plain"
 */
export function requestContentType(request: ApiRequest): string {
  return (request.headers["content-type"] ?? "application/json").split(";")[0]!.trim().toLowerCase();
}

/** What a mapping template and a parameter mapping see of one request on one route. */
export function templateRequestOf(request: ApiRequest, resourcePath: string, stage: string): TemplateRequest {
  return {
    body: request.body,
    requestId: request.requestId,
    requestTimeEpoch: request.requestTimeEpoch,
    httpMethod: request.method,
    resourcePath,
    stage,
    sourceIp: request.sourceIp,
    ...(request.authorizer && { authorizer: request.authorizer }),
    ...(request.apiKey && { apiKey: request.apiKey }),
    parameters: {
      path: request.pathParameters,
      querystring: Object.fromEntries(request.query),
      header: request.headers,
    },
  };
}

/**
 * The integration request's body: the request template for the content type rendered, or, when
 * there is none, the method body passed through or the request refused with a 415, as the
 * route's PassthroughBehavior says.
 *
 * @example
 * integrationRequestBody(route, "text/plain", templateRequest); // { body: "raw text" } under WHEN_NO_MATCH
 */
export function integrationRequestBody(
  route: Pick<IntegrationRoute, "requestTemplates" | "passthroughBehavior">,
  contentType: string,
  request: TemplateRequest,
): { body: string } | { unsupportedMediaType: true } {
  const template = route.requestTemplates[contentType];
  if (template !== undefined) return { body: renderMappingTemplate(template, request, request.body) };
  const passesThrough =
    route.passthroughBehavior === "WHEN_NO_MATCH" ||
    (route.passthroughBehavior === "WHEN_NO_TEMPLATES" && Object.keys(route.requestTemplates).length === 0);
  return passesThrough ? { body: request.body } : { unsupportedMediaType: true };
}

/** One of API Gateway's own answers (415, 400 on a bad body…), as the template customises it. */
export function gatewayRejection(
  type: GatewayResponseType,
  request: ApiRequest,
  gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>,
  validationErrorString?: string,
  refusal: { message?: string | null; authorizer?: Record<string, unknown> } = {},
): ApiResponse {
  const response = gatewayResponse(type, gatewayResponses, {
    requestId: request.requestId,
    ...(validationErrorString !== undefined && { validationErrorString }),
    ...refusal,
  });
  return { ...response, headers: JSON_HEADERS };
}
