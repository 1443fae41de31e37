import { describe, expect, it } from "vitest";
import { bodyValidator } from "./requestValidation.ts";

const validate = bodyValidator({
  $schema: "http://json-schema.org/draft-04/schema#",
  type: "object",
  additionalProperties: false,
  required: ["id", "name", "size"],
  properties: {
    id: { type: "string", pattern: "^[0-9]+$" },
    name: { type: "string", minLength: 2, maxLength: 4 },
    size: { type: "string", enum: ["small", "large"] },
  },
});

describe("an API Gateway request validator's validationErrorString", () => {
  it("accepts a body that fits the model", () => {
    expect(validate('{"id":"7","name":"abc","size":"small"}')).toEqual({ ok: true });
  });

  it("lists an object's missing properties in one message, in the model's order", () => {
    expect(validate("{}")).toEqual({ ok: false, validationErrorString: '[object has missing required properties (["id","name","size"])]' });
  });

  it("words enum, type, pattern and length failures as json-schema-validator does, joined in one bracket", () => {
    const result = validate('{"id":"x1","name":"a","size":"huge"}');
    expect(result).toEqual({
      ok: false,
      validationErrorString:
        '[ECMA 262 regex "^[0-9]+$" does not match input string "x1", ' +
        'string "a" is too short (length: 1, required minimum: 2), ' +
        'instance value ("huge") not found in enum (possible values: ["small","large"])]',
    });
    expect(validate('{"id":7,"name":"abcde","size":"small"}')).toEqual({
      ok: false,
      validationErrorString:
        '[instance type (integer) does not match any allowed primitive type (allowed: ["string"]), ' +
        'string "abcde" is too long (length: 5, maximum allowed: 4)]',
    });
  });

  it("names properties the model does not allow, sorted", () => {
    expect(validate('{"id":"1","name":"ab","size":"small","z":1,"a":2}')).toEqual({
      ok: false,
      validationErrorString: '[object instance has properties which are not allowed by the schema: ["a","z"]]',
    });
  });

  it("says it cannot parse a body that is not JSON", () => {
    expect(validate("{not json")).toEqual({ ok: false, validationErrorString: "[Unknown error parsing request body]" });
  });
});
