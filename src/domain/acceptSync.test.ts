import { describe, expect, it } from "vitest";
import { acceptSync, type AcceptSyncPorts } from "./acceptSync.ts";
import type { ClaimCheck } from "./syncBacklog.ts";

function inMemoryPorts(overrides: Partial<AcceptSyncPorts> = {}) {
  const bucket = new Map<string, { body: string; digest: string }>();
  const writes: string[] = [];
  const queued: ClaimCheck[] = [];
  const ports: AcceptSyncPorts = {
    backlogLocation: (syncId) => ({ bucket: "syncs", key: `incoming/${syncId}.json` }),
    storedDigest: async (syncId) => bucket.get(syncId)?.digest,
    async storeBacklog(syncId, body, digest, { ifAbsent }) {
      if (ifAbsent && bucket.has(syncId)) return "exists";
      writes.push(syncId);
      bucket.set(syncId, { body, digest });
      return "stored";
    },
    deleteBacklog: async (syncId) => void bucket.delete(syncId),
    sendClaimCheck: async (claimCheck) => void queued.push(claimCheck),
    ...overrides,
  };
  return { ports, bucket, writes, queued };
}

const unreachable = (what: string) => async () => Promise.reject(new Error(`${what} unreachable`));

const body = JSON.stringify({ deviceId: "clock-7", punches: [{ punchId: "p-1" }, { punchId: "p-2" }] });
const request = (overrides: { body?: string; idempotencyKey?: string } = {}) => ({
  body,
  idempotencyKey: "backlog-2026-11-23",
  receivedAt: "2026-11-23T11:00:00.000Z",
  clockId: "client-a",
  ...overrides,
});

describe("acceptSync", () => {
  it("stores a new sync's backlog and queues a claim check naming it", async () => {
    const { ports, bucket, queued } = inMemoryPorts();
    const outcome = await acceptSync(request(), ports);
    expect(outcome).toEqual({ decision: "accepted", syncId: expect.any(String), deviceId: "clock-7", punches: 2 });
    const { syncId } = outcome as { syncId: string };
    expect(bucket.get(syncId)?.body).toBe(body);
    expect(queued).toEqual([
      { syncId, deviceId: "clock-7", clockId: "client-a", bucket: "syncs", key: `incoming/${syncId}.json`, count: 2, receivedAt: "2026-11-23T11:00:00.000Z" },
    ]);
  });

  it("answers a retry with the same key and body with the same sync, queued again but stored once", async () => {
    const { ports, writes, queued } = inMemoryPorts();
    const first = await acceptSync(request(), ports);
    const retry = await acceptSync(request(), ports);
    expect(retry).toEqual(first);
    expect(writes).toHaveLength(1);
    expect(queued.map((claimCheck) => claimCheck.syncId)).toEqual([writes[0], writes[0]]);
  });

  it("refuses the second of two different bodies racing with one key, though neither saw the other's backlog", async () => {
    const { ports, bucket, queued } = inMemoryPorts();
    const otherBody = JSON.stringify({ deviceId: "clock-7", punches: [{ punchId: "p-3" }] });
    // Both requests checked the bucket before either wrote: the first check is stale for the second.
    let checks = 0;
    const racing = { ...ports, storedDigest: async (syncId: string) => (checks++ === 0 ? undefined : ports.storedDigest(syncId)) };
    const first = await acceptSync(request(), ports);
    const second = await acceptSync(request({ body: otherBody }), racing);
    expect(first).toMatchObject({ decision: "accepted" });
    expect(second).toEqual({ decision: "keyReused", syncId: (first as { syncId: string }).syncId });
    expect([...bucket.values()].map((stored) => stored.body)).toEqual([body]);
    expect(queued).toHaveLength(1);
  });

  it("accepts the second of two identical bodies racing with one key: the same sync", async () => {
    const { ports, queued } = inMemoryPorts();
    let checks = 0;
    const racing = { ...ports, storedDigest: async (syncId: string) => (checks++ === 0 ? undefined : ports.storedDigest(syncId)) };
    const first = await acceptSync(request(), ports);
    expect(await acceptSync(request(), racing)).toEqual(first);
    expect(queued).toHaveLength(2);
  });

  it("refuses a key already used for a different body, leaving the first backlog as it was", async () => {
    const { ports, bucket, queued } = inMemoryPorts();
    const first = await acceptSync(request(), ports);
    const otherBody = JSON.stringify({ deviceId: "clock-7", punches: [{ punchId: "p-3" }] });
    const outcome = await acceptSync(request({ body: otherBody }), ports);
    expect(outcome).toEqual({ decision: "keyReused", syncId: (first as { syncId: string }).syncId });
    expect([...bucket.values()].map((stored) => stored.body)).toEqual([body]);
    expect(queued).toHaveLength(1);
  });

  it("gives a new sync id to each request without a key, and names none when it fails", async () => {
    const { ports } = inMemoryPorts();
    const first = await acceptSync(request({ idempotencyKey: undefined }), ports);
    const second = await acceptSync(request({ idempotencyKey: undefined }), ports);
    expect((first as { syncId: string }).syncId).not.toBe((second as { syncId: string }).syncId);
    ports.sendClaimCheck = unreachable("queue");
    expect(await acceptSync(request({ idempotencyKey: undefined }), ports)).toMatchObject({ decision: "unavailable", sameOnRetry: false });
  });

  it("is unavailable when the bucket fails, and queues nothing", async () => {
    const { ports, queued } = inMemoryPorts({ storeBacklog: unreachable("bucket") });
    const outcome = await acceptSync(request(), ports);
    expect(outcome).toMatchObject({ decision: "unavailable", sameOnRetry: true, error: "bucket unreachable" });
    expect(queued).toEqual([]);
  });

  it("is unavailable when the queue fails, and deletes the backlog this request stored", async () => {
    const { ports, bucket } = inMemoryPorts({ sendClaimCheck: unreachable("queue") });
    const outcome = await acceptSync(request(), ports);
    expect(outcome).toMatchObject({ decision: "unavailable", error: "queue unreachable" });
    expect(outcome).not.toHaveProperty("cleanupError");
    expect(bucket.size).toBe(0);
  });

  it("keeps the backlog an earlier request stored when the queue fails on a retry", async () => {
    const { ports, bucket } = inMemoryPorts();
    await acceptSync(request(), ports);
    ports.sendClaimCheck = unreachable("queue");
    expect(await acceptSync(request(), ports)).toMatchObject({ decision: "unavailable" });
    expect([...bucket.values()].map((stored) => stored.body)).toEqual([body]);
  });

  it("is still unavailable when the backlog cannot be deleted either, and says why it stays", async () => {
    const { ports } = inMemoryPorts({ sendClaimCheck: unreachable("queue"), deleteBacklog: unreachable("bucket") });
    const outcome = await acceptSync(request(), ports);
    expect(outcome).toMatchObject({ decision: "unavailable", error: "queue unreachable", cleanupError: "bucket unreachable" });
  });

  it("refuses an envelope or a key that is not valid, storing nothing", async () => {
    const { ports, bucket, queued } = inMemoryPorts();
    expect(await acceptSync(request({ body: '{"deviceId":"clock-7","punches":[]}' }), ports)).toMatchObject({
      decision: "invalid",
      statusCode: 400,
      errors: [{ field: "/punches", message: "must hold at least one punch" }],
    });
    expect(await acceptSync(request({ idempotencyKey: "with spaces" }), ports)).toMatchObject({
      decision: "invalid",
      statusCode: 400,
      message: "Invalid header",
      errors: [{ field: "Idempotency-Key" }],
    });
    expect(bucket.size + queued.length).toBe(0);
  });
});
