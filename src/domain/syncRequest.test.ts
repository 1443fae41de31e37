import { describe, expect, it } from "vitest";
import { checkSyncEnvelope, SYNC_LIMITS, syncIdentity } from "./syncRequest.ts";

const punch = { punchId: "0b0e9a4c-3c1e-4f57-9a8e-2f6a1c9d7e10" };

describe("checkSyncEnvelope", () => {
  it("accepts a device and its punches, leaving each punch for the consumer", () => {
    const check = checkSyncEnvelope(JSON.stringify({ deviceId: "clock-7", punches: [punch, "not a punch"] }));
    expect(check).toEqual({ ok: true, envelope: { deviceId: "clock-7", punches: [punch, "not a punch"] } });
  });

  it("names each malformed field with a 400", () => {
    expect(checkSyncEnvelope(JSON.stringify({ deviceId: "", punches: {} }))).toEqual({
      ok: false,
      statusCode: 400,
      message: "Invalid sync",
      errors: [
        { field: "/deviceId", message: "must be a string of 1 to 128 characters" },
        { field: "/punches", message: "must be an array of punches" },
      ],
    });
    expect(checkSyncEnvelope(JSON.stringify({ deviceId: "clock-7", punches: [] }))).toMatchObject({
      statusCode: 400,
      errors: [{ field: "/punches", message: "must hold at least one punch" }],
    });
    expect(checkSyncEnvelope("{not json")).toMatchObject({ statusCode: 400, errors: [{ field: "", message: "must be a JSON document" }] });
    expect(checkSyncEnvelope(null)).toMatchObject({ statusCode: 400 });
  });

  it("answers 413 naming the count limit when a sync holds too many punches", () => {
    const punches = Array.from({ length: SYNC_LIMITS.maxPunches + 1 }, () => punch);
    const check = checkSyncEnvelope(JSON.stringify({ deviceId: "clock-7", punches }));
    expect(check).toMatchObject({ ok: false, statusCode: 413 });
    expect(!check.ok && check.message).toContain(`at most ${SYNC_LIMITS.maxPunches}`);
  });

  it("answers 413 naming the size limit before reading an oversized body", () => {
    const check = checkSyncEnvelope(`{"deviceId":"clock-7","punches":["${"x".repeat(SYNC_LIMITS.maxBodyBytes)}"]}`);
    expect(check).toMatchObject({ ok: false, statusCode: 413 });
    expect(!check.ok && check.message).toContain(`at most ${SYNC_LIMITS.maxBodyBytes} bytes`);
  });
});

describe("syncIdentity", () => {
  it("gives a retry with the same Idempotency-Key the same sync, and another device or key another", () => {
    const first = syncIdentity("clock-7", "backlog-2026-11-23", "client-a");
    expect(first).toEqual(syncIdentity("clock-7", "backlog-2026-11-23", "client-a"));
    expect(first.ok && first.syncId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(syncIdentity("clock-8", "backlog-2026-11-23", "client-a")).not.toEqual(first);
    expect(syncIdentity("clock-7", "backlog-2026-11-24", "client-a")).not.toEqual(first);
  });

  it("gives another authenticated clock using the same device and key another sync", () => {
    expect(syncIdentity("clock-7", "backlog-2026-11-23", "client-b")).not.toEqual(syncIdentity("clock-7", "backlog-2026-11-23", "client-a"));
  });

  it("makes each request without a key a new sync", () => {
    expect(syncIdentity("clock-7", undefined, "client-a")).not.toEqual(syncIdentity("clock-7", undefined, "client-a"));
  });

  it("refuses a key that is empty, too long or not visible ASCII", () => {
    for (const key of ["", "x".repeat(256), "with space", "ção"]) {
      expect(syncIdentity("clock-7", key, "client-a")).toMatchObject({ ok: false, message: expect.stringContaining("Idempotency-Key") });
    }
  });
});
