import { describe, expect, it } from "vitest";
import { settleSync, type SettleSyncPorts } from "./settleSync.ts";
import type { ClaimCheck, SyncResult } from "./syncBacklog.ts";

const claimCheck: ClaimCheck = {
  syncId: "6f1c2b9e-8d4a-4c1e-9b7a-3e5f2a1d0c9b",
  deviceId: "clock-7",
  bucket: "syncs",
  key: "incoming/6f1c2b9e-8d4a-4c1e-9b7a-3e5f2a1d0c9b.json",
  count: 3,
  receivedAt: "2026-11-23T11:00:00.000Z",
};
const good = (n: number) => ({
  punchId: `0b0e9a4c-3c1e-4f57-9a8e-2f6a1c9d7e1${n}`,
  employeeId: "e-17",
  deviceId: "clock-7",
  kind: n % 2 ? "out" : "in",
  occurredAt: `2026-11-22T0${n}:00:00-03:00`,
});
const backlog = JSON.stringify({ deviceId: "clock-7", punches: [good(1), { punchId: "nope", kind: "in" }, good(2)] });

function fakePorts(overrides: Partial<SettleSyncPorts> = {}) {
  const calls = { published: [] as SyncResult[], failures: [] as SyncResult[], parked: [] as string[] };
  const ports: SettleSyncPorts = {
    readBacklog: async () => backlog,
    store: async (check, sorted, startedAt) => ({
      syncId: check.syncId,
      deviceId: sorted.deviceId,
      status: "done",
      counts: { received: sorted.received, accepted: sorted.accepted.length, persisted: sorted.accepted.length, duplicate: 0, rejected: sorted.rejected.length },
      rejected: sorted.rejected,
      receivedAt: check.receivedAt,
      startedAt,
      finishedAt: startedAt,
    }),
    publish: async (_bucket, result) => void calls.published.push(result),
    recordFailure: async (_bucket, result) => void calls.failures.push(result),
    park: async (_body, reason) => void calls.parked.push(reason),
    ...overrides,
  };
  return { ports, calls };
}

const delivery = (receiveCount = 1) => ({ body: JSON.stringify(claimCheck), receiveCount, maxReceiveCount: 3 });

describe("settleSync", () => {
  it("stores the valid punches, reports each invalid one by position and publishes the outcome", async () => {
    const { ports, calls } = fakePorts();
    const outcome = await settleSync(delivery(), ports);
    expect(outcome).toMatchObject({ settled: "done", result: { counts: { received: 3, accepted: 2, rejected: 1 } } });
    expect(calls.published).toHaveLength(1);
    expect(calls.published[0]!.rejected).toEqual([
      { index: 1, punchId: "nope", reason: expect.stringContaining("/employeeId is required") },
    ]);
  });

  it("marks a sync whose backlog is not a sync failed, and parks its claim check at once", async () => {
    const { ports, calls } = fakePorts({ readBacklog: async () => '{"punches":"none"}' });
    const outcome = await settleSync(delivery(), ports);
    expect(outcome).toMatchObject({ settled: "parked", reason: expect.stringContaining("/deviceId") });
    expect(calls.failures).toMatchObject([{ syncId: claimCheck.syncId, status: "failed" }]);
    expect(calls.parked).toHaveLength(1);
  });

  it("parks a message that is not a claim check without inventing a sync", async () => {
    const { ports, calls } = fakePorts();
    await settleSync({ ...delivery(), body: '{"hello":1}' }, ports);
    expect(calls.parked).toEqual([expect.stringContaining("syncId")]);
    expect(calls.failures).toEqual([]);
  });

  it("throws a transient error for the queue to retry, and marks the sync failed only on the last delivery", async () => {
    const { ports, calls } = fakePorts({ store: async () => Promise.reject(new Error("connection terminated")) });
    await expect(settleSync(delivery(1), ports)).rejects.toThrow("connection terminated");
    expect(calls.failures).toEqual([]);
    await expect(settleSync(delivery(3), ports)).rejects.toThrow("connection terminated");
    expect(calls.failures).toMatchObject([{ status: "failed", failureReason: "gave up after 3 deliveries; last error: connection terminated" }]);
    expect(calls.parked).toEqual([]);
  });
});
