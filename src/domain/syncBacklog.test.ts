import { describe, expect, it } from "vitest";
import { parseClaimCheck, sortBacklog, UnrecoverableSyncError, type ClaimCheck } from "./syncBacklog.ts";

const claimCheck: ClaimCheck = {
  syncId: "6f1c2b9e-8d4a-4c1e-9b7a-3e5f2a1d0c9b",
  deviceId: "clock-7",
  bucket: "syncs",
  key: "incoming/6f1c2b9e-8d4a-4c1e-9b7a-3e5f2a1d0c9b.json",
  count: 2,
  receivedAt: "2026-11-23T11:00:00.000Z",
};

describe("parseClaimCheck", () => {
  it("reads a claim check", () => {
    expect(parseClaimCheck(JSON.stringify(claimCheck))).toEqual(claimCheck);
  });

  it("names what a message that is not a claim check lacks, as unrecoverable", () => {
    expect(() => parseClaimCheck('{"syncId":"6f1c2b9e-8d4a-4c1e-9b7a-3e5f2a1d0c9b"}')).toThrow(
      new UnrecoverableSyncError("the claim check lacks deviceId, bucket, key, receivedAt, count"),
    );
    expect(() => parseClaimCheck("null")).toThrow(UnrecoverableSyncError);
    expect(() => parseClaimCheck("punch")).toThrow("the claim check is not JSON");
    expect(() => parseClaimCheck(JSON.stringify({ ...claimCheck, syncId: "42" }))).toThrow("syncId is not a UUID");
  });
});

describe("sortBacklog", () => {
  it("keeps each valid punch with its position, the sync's receipt time and the sync id as correlation id", () => {
    const punch = {
      punchId: "0b0e9a4c-3c1e-4f57-9a8e-2f6a1c9d7e10",
      employeeId: "e-17",
      deviceId: "clock-7",
      kind: "in",
      occurredAt: "2026-11-22T08:00:00-03:00",
    };
    const sorted = sortBacklog(JSON.stringify({ deviceId: "clock-7", punches: [null, punch] }), claimCheck);
    expect(sorted).toEqual({
      deviceId: "clock-7",
      received: 2,
      accepted: [{ index: 1, punch: { ...punch, receivedAt: claimCheck.receivedAt, correlationId: claimCheck.syncId } }],
      rejected: [{ index: 0, reason: "invalid punch: body must be object" }],
    });
  });

  it("finds a stored body that is not a sync unrecoverable", () => {
    expect(() => sortBacklog("[]", claimCheck)).toThrow(UnrecoverableSyncError);
  });
});
