import { describe, expect, it } from "vitest";
import { parsePunch, validatePunch } from "./punch.ts";

const valid = {
  punchId: "0b0e9a4c-3c1e-4f57-9a8e-2f6a1c9d7e10",
  employeeId: "e-17",
  deviceId: "clock-lobby",
  kind: "in",
  occurredAt: "2026-11-23T08:00:00-03:00",
};

describe("validatePunch", () => {
  it("accepts a punch with every field right", () => {
    expect(validatePunch(valid)).toEqual({ ok: true, punch: valid });
  });

  it("names each missing field", () => {
    const { employeeId: _employee, kind: _kind, ...partial } = valid;
    const result = validatePunch(partial);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((error) => error.field)).toEqual(["/employeeId", "/kind"]);
  });

  it("rejects a kind other than in or out, saying which are allowed", () => {
    expect(validatePunch({ ...valid, kind: "break" })).toEqual({
      ok: false,
      errors: [{ field: "/kind", message: "must be one of: in, out" }],
    });
  });

  it("rejects fields that are not part of a punch", () => {
    const result = validatePunch({ ...valid, salary: 1 });
    expect(!result.ok && result.errors).toEqual([{ field: "/salary", message: "is not an allowed field" }]);
  });

  it.each([
    ["no offset", "2026-11-23T08:00:00"],
    ["a date only", "2026-11-23"],
    ["a day that does not exist", "2026-02-30T08:00:00Z"],
    ["an hour that does not exist", "2026-11-23T25:00:00Z"],
  ])("rejects an occurredAt with %s", (_case, occurredAt) => {
    const result = validatePunch({ ...valid, occurredAt });
    expect(!result.ok && result.errors[0]?.field).toBe("/occurredAt");
  });

  it("accepts fractional seconds and a Z offset", () => {
    expect(validatePunch({ ...valid, occurredAt: "2026-11-23T11:00:00.123Z" }).ok).toBe(true);
  });

  it("rejects a punchId that is not a UUID", () => {
    const result = validatePunch({ ...valid, punchId: "42" });
    expect(!result.ok && result.errors[0]?.field).toBe("/punchId");
  });
});

describe("parsePunch", () => {
  it("reports a body that is not JSON as such", () => {
    expect(parsePunch("{not json")).toEqual({ ok: false, errors: [{ field: "", message: "must be a JSON document" }] });
  });
});
