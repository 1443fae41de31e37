import type { ErrorObject } from "ajv";

export interface FieldError {
  /** JSON pointer to the offending value, "" for the body itself. */
  field: string;
  message: string;
}

/**
 * Ajv's errors as "which field, what is wrong", the shape every 400 of this API uses. A pattern
 * is no message for a person: `patternMessages` says in words what a field's pattern requires.
 */
export function fieldErrorsOf(
  errors: readonly ErrorObject[] | null | undefined,
  patternMessages: Readonly<Record<string, string>> = {},
): FieldError[] {
  return (errors ?? []).map((error) => {
    const explained = error.keyword === "pattern" ? patternMessages[error.instancePath] : undefined;
    return explained ? { field: error.instancePath, message: explained } : toFieldError(error);
  });
}

export function describeFieldErrors(errors: readonly FieldError[]): string {
  return errors.map(({ field, message }) => `${field || "body"} ${message}`).join("; ");
}

function toFieldError(error: ErrorObject): FieldError {
  switch (error.keyword) {
    case "required":
      return { field: `${error.instancePath}/${String(error.params.missingProperty)}`, message: "is required" };
    case "additionalProperties":
      return { field: `${error.instancePath}/${String(error.params.additionalProperty)}`, message: "is not an allowed field" };
    case "enum":
      return {
        field: error.instancePath,
        message: `must be one of: ${(error.params.allowedValues as unknown[]).join(", ")}`,
      };
    default:
      return { field: error.instancePath, message: error.message ?? "is invalid" };
  }
}
