import type { GatewayResponseDefinition, MockIntegrationRoute } from "./restApiModel.ts";
import type { RouteHandler } from "./apiTypes.ts";
import { gatewayRejection, integrationRequestBody, requestContentType, templateRequestOf } from "./integrationRequest.ts";
import { methodResponse, selectIntegrationResponse } from "./integrationResponse.ts";

export interface MockIntegrationDependencies {
  gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>;
  stage: string;
}

/**
 * A MOCK integration, as API Gateway runs it (a CORS preflight is one): no backend; the rendered
 * request template names the status, which selects the integration response, whose parameters
 * and template (with `$context.responseOverride`) make the answer.
 */
export function mockIntegrationRoute(route: MockIntegrationRoute, dependencies: MockIntegrationDependencies): RouteHandler {
  return async (request) => {
    const templateRequest = templateRequestOf(request, route.path, dependencies.stage);
    const integrationBody = integrationRequestBody(route, requestContentType(request), templateRequest);
    if ("unsupportedMediaType" in integrationBody) return gatewayRejection("UNSUPPORTED_MEDIA_TYPE", request, dependencies.gatewayResponses);
    const status = mockStatusCode(integrationBody.body);
    return methodResponse(
      selectIntegrationResponse(route.integrationResponses, status),
      { headers: {}, body: "", contentType: "application/json" },
      templateRequest,
    );
  };
}

/**
 * The status a MOCK integration's request body asks for, read leniently as AWS does: the
 * serverless CORS template writes `{statusCode:200}`, with its key unquoted. No status reads as
 * 200, the default integration response.
 *
 * @example
 * mockStatusCode("{statusCode:200}"); // 200
 * mockStatusCode('{"statusCode": 404}'); // 404
 */
export function mockStatusCode(body: string): number {
  const match = /["']?statusCode["']?\s*:\s*["']?(\d{3})/.exec(body);
  return match ? Number(match[1]) : 200;
}
