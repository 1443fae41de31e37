import { randomInt, randomUUID } from "node:crypto";
import type { Punch } from "../../src/domain/punch.ts";
import { apiUrlOf, clockHeaders, clockOfBody, type ApiTarget } from "./credentials.ts";

/** A valid punch with fresh ids, so tests never collide with each other's rows. */
export function aPunch(overrides: Partial<Punch> = {}): Punch {
  return {
    punchId: randomUUID(),
    employeeId: `e-${randomUUID().slice(0, 8)}`,
    // A few clocks, so a burst of punches shares out over their API keys as a shift change does.
    deviceId: `clock-${randomInt(20)}`,
    kind: "in",
    occurredAt: "2026-11-23T08:00:00-03:00",
    ...overrides,
  };
}

/**
 * POST /punches as a provisioned clock: the body's deviceId (or `as`) authenticates with its own
 * token and API key, as a real clock does.
 */
export async function postPunch(
  target: ApiTarget,
  body: unknown,
  { as = clockOfBody(body) }: { as?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${apiUrlOf(target)}/punches`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(await clockHeaders(target, as)) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
