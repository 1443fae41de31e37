import { logicalIdOf } from "../cloudformation/intrinsics.ts";
import { LocalAwsError } from "../errors.ts";
import type { ApiRequest, RouteHandler } from "./apiTypes.ts";
import { gatewayResponse, type GatewayResponseType } from "./gatewayResponses.ts";
import { requestContentType } from "./integrationRequest.ts";
import { bodyValidator } from "./requestValidation.ts";
import type { GatewayResponseDefinition } from "./restApiModel.ts";

/** What a method's request validator checks before its integration runs, of any kind. */
export interface RequestValidation {
  /** JSON schema per content type (`$default` for any), when the validator checks bodies. */
  bodyModels: Record<string, object>;
  /** The required parameters, when the validator checks them: "method.request.querystring.url". */
  requiredParameters: string[];
}

type Resources = ReadonlyMap<string, Record<string, unknown>>;

/**
 * A method's validation as the template declares it: its `RequestValidatorId`'s
 * `ValidateRequestBody` (the `RequestModels`) and `ValidateRequestParameters` (the
 * `RequestParameters` marked true). A method without a validator is not validated, as on AWS.
 *
 * @example
 * readRequestValidation(method, validators, models); // { bodyModels: { "application/json": {…} }, requiredParameters: ["method.request.querystring.url"] }
 */
export function readRequestValidation(method: Record<string, unknown>, validators: Resources, models: Resources): RequestValidation {
  const validatorId = logicalIdOf(method.RequestValidatorId, "RequestValidatorId", true);
  const validator = validatorId === undefined ? undefined : validators.get(validatorId);
  const parameters = (method.RequestParameters as Record<string, unknown> | undefined) ?? {};
  const requestModels = (method.RequestModels as Record<string, unknown> | undefined) ?? {};
  return {
    bodyModels:
      validator?.ValidateRequestBody === true
        ? Object.fromEntries(Object.entries(requestModels).map(([contentType, model]) => [contentType, schemaOf(model, contentType, models)]))
        : {},
    requiredParameters:
      validator?.ValidateRequestParameters === true ? Object.entries(parameters).filter(([, required]) => required === true).map(([name]) => name) : [],
  };
}

/**
 * A model's JSON schema: CloudFormation takes it as an object or as JSON text. Anything else is
 * refused, as API Gateway's CreateModel refuses it ("Invalid model specified: … Invalid model
 * schema specified"), whatever the content type.
 */
function schemaOf(model: unknown, contentType: string, models: Resources): object {
  const modelId = logicalIdOf(model, `RequestModels.${contentType}`);
  const written = models.get(modelId)?.Schema;
  let schema = written;
  if (typeof written === "string") {
    try {
      schema = JSON.parse(written) as unknown;
    } catch {
      schema = undefined;
    }
  }
  if (typeof schema !== "object" || schema === null) {
    throw new LocalAwsError(
      `model ${modelId} (${contentType}) has the schema ${JSON.stringify(written)}, which is no JSON schema; ` +
        "API Gateway refuses such a model too (CreateModel: Invalid model schema specified). Give it a JSON schema (draft 4)",
    );
  }
  return schema;
}

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
