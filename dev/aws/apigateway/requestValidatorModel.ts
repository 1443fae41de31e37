import { logicalIdOf } from "../cloudformation/intrinsics.ts";
import { LocalAwsError } from "../errors.ts";

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
