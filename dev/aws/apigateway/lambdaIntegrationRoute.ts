import type { FunctionRuntime } from "../lambda/functionRuntime.ts";
import type { RouteHandler } from "./apiTypes.ts";
import { gatewayRejection, integrationRequestBody, requestContentType, templateRequestOf } from "./integrationRequest.ts";
import { methodResponse } from "./integrationResponse.ts";
import type { GatewayResponseDefinition, IntegrationResponse, LambdaIntegrationRoute } from "./restApiModel.ts";

export interface LambdaIntegrationDependencies {
  gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>;
  stage: string;
}

/**
 * A Lambda custom (non-proxy) integration, the framework's `integration: lambda`, as API Gateway
 * runs it (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-custom-integrations.html):
 * the request template's output is the event, the function's result the integration's body; a
 * function error is matched by the integration responses' selection patterns against its
 * errorMessage, a success takes the default response.
 */
export function lambdaIntegrationRoute(route: LambdaIntegrationRoute, target: FunctionRuntime, dependencies: LambdaIntegrationDependencies): RouteHandler {
  return async (request) => {
    const templateRequest = templateRequestOf(request, route.path, dependencies.stage);
    const integrationBody = integrationRequestBody(route, requestContentType(request), templateRequest);
    if ("unsupportedMediaType" in integrationBody) return gatewayRejection("UNSUPPORTED_MEDIA_TYPE", request, dependencies.gatewayResponses);
    const result = await target.invoke(eventOf(integrationBody.body));
    if (result.status === "throttled") return gatewayRejection("THROTTLED", request, dependencies.gatewayResponses);
    const error =
      result.status === "succeeded"
        ? undefined
        : result.status === "timed-out"
          ? // Lambda's timeout error, as the function's Invoke answers it (its log line reads the same).
            { errorMessage: `${new Date().toISOString()} ${request.requestId} Task timed out after ${target.timeoutSeconds.toFixed(2)} seconds` }
          : { errorType: result.error.errorType, errorMessage: result.error.errorMessage, trace: result.error.stack };
    const body = JSON.stringify(error ?? (result.status === "succeeded" ? result.payload : null)) ?? "null";
    return methodResponse(lambdaIntegrationResponse(route.integrationResponses, error?.errorMessage), { headers: {}, body, contentType: "application/json" }, templateRequest);
  };
}

/**
 * The integration response a Lambda answer selects: for a function error, the first whose
 * selection pattern matches the whole errorMessage (a Java regex `matches`), else the default;
 * for a success, the default (the one without a pattern).
 *
 * @example
 * lambdaIntegrationResponse(responses, "[404] no such item"); // the response of pattern [\s\S]*\[404\][\s\S]*
 */
export function lambdaIntegrationResponse(responses: readonly IntegrationResponse[], errorMessage: string | undefined): IntegrationResponse | undefined {
  const byDefault = responses.find(({ selectionPattern }) => selectionPattern === undefined || selectionPattern === "");
  if (errorMessage === undefined) return byDefault;
  return responses.find(({ selectionPattern }) => selectionPattern && new RegExp(`^(?:${selectionPattern})$`).test(errorMessage)) ?? byDefault;
}

/** The rendered template is JSON, the event Lambda gets; a body that is not goes as the string it is. */
function eventOf(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
