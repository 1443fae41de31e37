import { randomUUID } from "node:crypto";
import type { Punch } from "../../src/domain/punch.ts";
import type { SyncResult } from "../../src/domain/syncBacklog.ts";
import { eventually } from "./eventually.ts";
import { aPunch } from "./punches.ts";

export interface SyncAnswer {
  status: number;
  body: { syncId?: string; status?: string; statusUrl?: string; message?: string; errors?: unknown[] };
}

export async function postSync(apiUrl: string, body: unknown, idempotencyKey?: string): Promise<SyncAnswer> {
  const response = await fetch(`${apiUrl}/punches/batches`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(idempotencyKey !== undefined && { "idempotency-key": idempotencyKey }) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as SyncAnswer["body"] };
}

/** Polls the status URL until the sync is done or failed (pending, or not known yet, before), or one of `until`. */
export async function settledSync(
  statusUrl: string,
  { timeoutMs = 20_000, until = ["done", "failed"] }: { timeoutMs?: number; until?: Array<SyncResult["status"]> } = {},
): Promise<SyncResult> {
  return eventually(
    async () => (await (await fetch(statusUrl)).json()) as SyncResult | { status?: "pending" },
    (result) => (until as Array<string | undefined>).includes(result.status),
    { what: `the sync at ${statusUrl} to settle`, timeoutMs, intervalMs: 200 },
  ) as Promise<SyncResult>;
}

/** One offline clock's backlog: `count` valid punches of a few employees, oldest first. */
export function aBacklog(count: number, deviceId = `clock-${randomUUID().slice(0, 6)}`): { deviceId: string; punches: Punch[] } {
  const employees = Array.from({ length: 10 }, () => `e-${randomUUID().slice(0, 8)}`);
  const start = Date.parse("2026-11-20T08:00:00Z");
  const punches = Array.from({ length: count }, (_, i) =>
    aPunch({
      deviceId,
      employeeId: employees[i % employees.length]!,
      kind: Math.floor(i / employees.length) % 2 === 0 ? "in" : "out",
      occurredAt: new Date(start + Math.floor(i / employees.length) * 60_000).toISOString().replace(".000Z", "Z"),
    }),
  );
  return { deviceId, punches };
}
