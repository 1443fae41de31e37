import AjvDraft04 from "ajv-draft-04";
import type { ErrorObject, ValidateFunction } from "ajv";

/** What API Gateway says of a body it cannot parse at all. */
const UNPARSEABLE = "[Unknown error parsing request body]";

export type BodyValidation = { ok: true } | { ok: false; validationErrorString: string };

/**
 * A request validator's body check, as API Gateway runs it: the method's model (JSON Schema
 * draft 4) against the body, with `$context.error.validationErrorString` in AWS's words. AWS
 * validates with java-json-tools' json-schema-validator; its messages read
 * `object has missing required properties (["name"])` and name no location, and several are
 * joined as `[first, second]`.
 *
 * @example
 * const validate = bodyValidator({ type: "object", required: ["name"] });
 * validate("{}"); // { ok: false, validationErrorString: '[object has missing required properties (["name"])]' }
 */
export function bodyValidator(schema: object): (body: string) => BodyValidation {
  const ajv = new AjvDraft04.default({ allErrors: true, verbose: true });
  const validate: ValidateFunction = ajv.compile(schema);
  return (body) => {
    let decoded: unknown;
    try {
      decoded = JSON.parse(body);
    } catch {
      return { ok: false, validationErrorString: UNPARSEABLE };
    }
    if (validate(decoded)) return { ok: true };
    return { ok: false, validationErrorString: `[${awsMessages(validate.errors ?? []).join(", ")}]` };
  };
}

/**
 * Ajv's errors in json-schema-validator's wording. That library reports all missing (or all
 * unexpected) properties of an object in one message, so those are grouped per object.
 */
function awsMessages(errors: readonly ErrorObject[]): string[] {
  const missing = new Map<string, string[]>();
  const unexpected = new Map<string, string[]>();
  const others: Array<{ path: string; message: string }> = [];
  for (const error of errors) {
    const path = error.instancePath;
    switch (error.keyword) {
      case "required":
        missing.set(path, [...(missing.get(path) ?? []), String(error.params.missingProperty)]);
        break;
      case "additionalProperties":
        unexpected.set(path, [...(unexpected.get(path) ?? []), String(error.params.additionalProperty)]);
        break;
      default:
        others.push({ path, message: messageOf(error) });
    }
  }
  return [
    ...[...missing.values()].map((names) => `object has missing required properties (${json(names)})`),
    ...[...unexpected.values()].map((names) => `object instance has properties which are not allowed by the schema: ${json(names.sort())}`),
    // The library walks an object's members in name order.
    ...others.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map(({ message }) => message),
  ];
}

function messageOf(error: ErrorObject): string {
  const value = error.data;
  switch (error.keyword) {
    case "enum":
      return `instance value (${json(value)}) not found in enum (possible values: ${json(error.params.allowedValues)})`;
    case "type": {
      const allowed = Array.isArray(error.params.type) ? error.params.type : String(error.params.type).split(",");
      return `instance type (${jsonType(value)}) does not match any allowed primitive type (allowed: ${json(allowed)})`;
    }
    case "pattern":
      return `ECMA 262 regex ${json(error.params.pattern)} does not match input string ${json(value)}`;
    case "minLength":
      return `string ${json(value)} is too short (length: ${String(value).length}, required minimum: ${String(error.params.limit)})`;
    case "maxLength":
      return `string ${json(value)} is too long (length: ${String(value).length}, maximum allowed: ${String(error.params.limit)})`;
    case "minimum":
      return `numeric instance is lower than the required minimum (minimum: ${String(error.params.limit)}, found: ${String(value)})`;
    case "maximum":
      return `numeric instance is greater than the required maximum (maximum: ${String(error.params.limit)}, found: ${String(value)})`;
    case "minItems":
      return `array is too short: must have at least ${String(error.params.limit)} elements but instance has ${(value as unknown[]).length} elements`;
    case "maxItems":
      return `array is too long: must have at most ${String(error.params.limit)} elements but instance has ${(value as unknown[]).length} elements`;
    default:
      return `instance failed to match "${error.keyword}": ${error.message ?? "invalid"}`;
  }
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** JSON without spaces, as the library prints values and lists. */
function json(value: unknown): string {
  return JSON.stringify(value);
}
