import { describe, expect, it } from "vitest";
import { readSync, type ReadSyncPorts } from "./readSync.ts";
import type { SyncResult } from "./syncBacklog.ts";

const syncId = "6f1c2b9e-8d4a-4c1e-9b7a-3e5f2a1d0c9b";
const done = { syncId, deviceId: "clock-7", clockId: "client-a", status: "done" } as SyncResult;
const ports = (overrides: Partial<ReadSyncPorts>): ReadSyncPorts => ({
  recorded: async () => undefined,
  published: async () => undefined,
  waiting: async () => undefined,
  ...overrides,
});

describe("readSync", () => {
  it("answers a clock about its own sync, recorded, published or still waiting", async () => {
    expect(await readSync(syncId, "client-a", ports({ recorded: async () => done }))).toEqual({ found: true, sync: done });
    expect(await readSync(syncId, "client-a", ports({ published: async () => done }))).toEqual({ found: true, sync: done });
    expect(await readSync(syncId, "client-a", ports({ waiting: async () => ({ clockId: "client-a" }) }))).toEqual({ found: true, sync: { syncId, status: "pending" } });
  });

  it("finds nothing for another clock's sync, nor for one that has no owner", async () => {
    expect(await readSync(syncId, "client-b", ports({ recorded: async () => done }))).toEqual({ found: false });
    expect(await readSync(syncId, "client-b", ports({ waiting: async () => ({ clockId: "client-a" }) }))).toEqual({ found: false });
    expect(await readSync(syncId, "client-a", ports({ recorded: async () => ({ ...done, clockId: undefined }) as SyncResult }))).toEqual({ found: false });
  });
});
