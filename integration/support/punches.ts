import { randomUUID } from "node:crypto";
import type { Punch } from "../../src/domain/punch.ts";

/** A valid punch with fresh ids, so tests never collide with each other's rows. */
export function aPunch(overrides: Partial<Punch> = {}): Punch {
  return {
    punchId: randomUUID(),
    employeeId: `e-${randomUUID().slice(0, 8)}`,
    deviceId: "clock-lobby",
    kind: "in",
    occurredAt: "2026-11-23T08:00:00-03:00",
    ...overrides,
  };
}

export async function postPunch(apiUrl: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${apiUrl}/punches`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
