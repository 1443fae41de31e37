import { describe, expect, it } from "vitest";
import type { RecordedPunch } from "./punch.ts";
import { recordPunch, type PunchMessage, type RecordPunchPorts } from "./recordPunch.ts";

function inMemoryPorts() {
  const saved = new Map<string, RecordedPunch>();
  const rejected: Array<{ message: PunchMessage; reason: string }> = [];
  const ports: RecordPunchPorts = {
    async store(punch) {
      if (saved.has(punch.punchId)) return "duplicate";
      saved.set(punch.punchId, punch);
      return "inserted";
    },
    async reject(message, reason) {
      rejected.push({ message, reason });
    },
  };
  return { ports, saved, rejected };
}

const body = JSON.stringify({
  punchId: "0b0e9a4c-3c1e-4f57-9a8e-2f6a1c9d7e10",
  employeeId: "e-17",
  deviceId: "clock-1",
  kind: "out",
  occurredAt: "2026-11-23T17:00:00-03:00",
});

describe("recordPunch", () => {
  it("stores a valid punch with the queue's receipt time and the correlation id", async () => {
    const { ports, saved } = inMemoryPorts();
    const outcome = await recordPunch({ body, receivedAt: "2026-11-23T20:00:01.000Z", correlationId: "req-1" }, ports);
    expect(outcome).toBe("inserted");
    expect([...saved.values()]).toEqual([
      expect.objectContaining({ kind: "out", receivedAt: "2026-11-23T20:00:01.000Z", correlationId: "req-1" }),
    ]);
  });

  it("treats the same punch a second time as a duplicate, not an error", async () => {
    const { ports, saved } = inMemoryPorts();
    await recordPunch({ body, receivedAt: "2026-11-23T20:00:01.000Z" }, ports);
    expect(await recordPunch({ body, receivedAt: "2026-11-23T20:05:00.000Z" }, ports)).toBe("duplicate");
    expect(saved.size).toBe(1);
  });

  it("parks a body that breaks the schema with a reason naming the field", async () => {
    const { ports, saved, rejected } = inMemoryPorts();
    const bad = JSON.stringify({ ...JSON.parse(body), kind: "lunch" });
    expect(await recordPunch({ body: bad, receivedAt: "2026-11-23T20:00:01.000Z" }, ports)).toBe("rejected");
    expect(saved.size).toBe(0);
    expect(rejected[0]?.reason).toBe("invalid punch: /kind must be one of: in, out");
  });

  it("lets a storage failure throw, so the queue retries the message", async () => {
    const { ports } = inMemoryPorts();
    ports.store = async () => {
      throw new Error("connection refused");
    };
    await expect(recordPunch({ body, receivedAt: "2026-11-23T20:00:01.000Z" }, ports)).rejects.toThrow("connection refused");
  });
});
