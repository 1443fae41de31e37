import type { ErrorObject } from "ajv";

/** The punch schema compiled ahead of time (dev/commands/generatePunchValidator.ts). */
declare const validatePunchSchema: {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
};
export default validatePunchSchema;
