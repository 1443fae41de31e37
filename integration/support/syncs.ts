import { randomUUID } from "node:crypto";
import type { Punch } from "../../src/domain/punch.ts";
import type { SyncResult } from "../../src/domain/syncBacklog.ts";
import { apiUrlOf, clockHeaders, clockOfBody, type ApiTarget } from "./credentials.ts";
import { eventually } from "./eventually.ts";
import { aPunch } from "./punches.ts";

export interface SyncAnswer {
  status: number;
  body: { syncId?: string; status?: string; statusUrl?: string; message?: string; errors?: unknown[] };
}

/** Which clock sent each sync, so its status is read with that clock's token. */
const clockOfSync = new Map<string, { target: ApiTarget; deviceId: string }>();

/** POST /punches/batches as the clock the body names (or `as`), with its token and API key. */
export async function postSync(
  target: ApiTarget,
  body: unknown,
  idempotencyKey?: string,
  { as = clockOfBody(body) }: { as?: string } = {},
): Promise<SyncAnswer> {
  const response = await fetch(`${apiUrlOf(target)}/punches/batches`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(await clockHeaders(target, as)),
      ...(idempotencyKey !== undefined && { "idempotency-key": idempotencyKey }),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const answer = { status: response.status, body: (await response.json()) as SyncAnswer["body"] };
  if (answer.body.syncId) clockOfSync.set(answer.body.syncId, { target, deviceId: as });
  return answer;
}

/** GET a sync's status URL as the clock that sent it (or `as` another). */
export async function getSyncStatus(statusUrl: string, { as }: { as?: string } = {}): Promise<Response> {
  const syncId = new URL(statusUrl).pathname.split("/").at(-1)!;
  const sender = clockOfSync.get(syncId);
  const target = sender?.target ?? new URL(statusUrl).origin;
  return fetch(statusUrl, { headers: await clockHeaders(target, as ?? sender?.deviceId ?? "clock-lobby") });
}

/** Polls the status URL until the sync is done or failed (pending, or not known yet, before), or one of `until`. */
export async function settledSync(
  statusUrl: string,
  {
    timeoutMs = 20_000,
    until = ["done", "failed"],
    as,
  }: { timeoutMs?: number; until?: Array<SyncResult["status"]>; as?: string } = {},
): Promise<SyncResult> {
  return eventually(
    async () => (await (await getSyncStatus(statusUrl, as === undefined ? {} : { as })).json()) as SyncResult | { status?: "pending" },
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
