import type { ApiRequest, RouteHandler } from "./apiTypes.ts";
import { gatewayResponse, type GatewayResponseType } from "./gatewayResponses.ts";
import { requestContentType } from "./integrationRequest.ts";
import { bodyValidator } from "./requestValidation.ts";
import type { RequestValidation } from "./requestValidatorModel.ts";
import type { GatewayResponseDefinition } from "./restApiModel.ts";

/**
 * An integration behind its method's request validator, as API Gateway runs it
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html):
 * required path, query string and header parameters present and not blank, else
 * BAD_REQUEST_PARAMETERS (400, `Missing required request parameters: [q1]`); the body against the
 * model of its content type, or `$default`'s, else BAD_REQUEST_BODY (400); no model for the content
 * type, no body check.
 *
 * @example
 * validatedRoute({ bodyModels: {}, requiredParameters: ["method.request.querystring.q1"] }, integration, new Map());
 */
export function validatedRoute(validation: RequestValidation, integration: RouteHandler, gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>): RouteHandler {
  const { bodyModels, requiredParameters } = validation;
  if (requiredParameters.length === 0 && Object.keys(bodyModels).length === 0) return integration;
  const bodyChecks = new Map(Object.entries(bodyModels).map(([contentType, schema]) => [contentType, bodyValidator(schema)]));
  const rejection = (type: GatewayResponseType, request: ApiRequest, variables: { message?: string; validationErrorString?: string }) => {
    const { headers, ...response } = gatewayResponse(type, gatewayResponses, { requestId: request.requestId, request, ...variables });
    return { ...response, headers: { "content-type": "application/json", ...headers } };
  };
  return async (request) => {
    const missing = requiredParameters.filter((name) => !parameterOf(request, name)).map((name) => name.split(".").slice(3).join("."));
    if (missing.length > 0) return rejection("BAD_REQUEST_PARAMETERS", request, { message: `Missing required request parameters: [${missing.join(", ")}]` });
    const check = bodyChecks.get(requestContentType(request)) ?? bodyChecks.get("$default");
    const outcome = check?.(request.body) ?? { ok: true };
    if (!outcome.ok) return rejection("BAD_REQUEST_BODY", request, { validationErrorString: outcome.validationErrorString });
    return integration(request);
  };
}

/** A method request parameter's value: "method.request.querystring.url", ".header.X" (any case), ".path.id". */
function parameterOf(request: ApiRequest, name: string): string | undefined {
  const [, , where, ...rest] = name.split(".");
  const key = rest.join(".");
  const value = where === "querystring" ? request.query.get(key) : where === "header" ? request.headers[key.toLowerCase()] : where === "path" ? request.pathParameters[key] : undefined;
  return value?.trim() ? value : undefined;
}
