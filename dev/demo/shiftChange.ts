import { randomUUID } from "node:crypto";

export interface ShiftChangeSettings {
  punches: number;
  clocks: number;
  /** Share of requests that resend a punch already sent (a clock retrying). */
  duplicateShare: number;
  /** Share of requests that break the schema (a clock with a bug). */
  invalidShare: number;
  /** Tags this run's employees, so its rows can be told from others'. */
  runId: string;
}

export interface ShiftChange {
  /** Request bodies in the order they are sent. */
  bodies: string[];
  /** The distinct valid punches among them: what must end up stored, once each. */
  validPunchIds: Set<string>;
  duplicates: number;
  invalid: number;
}

const EMPLOYEES_PER_CLOCK = 40;

/**
 * A shift change: every clock's employees punch in within a few minutes, some clocks retry
 * (duplicates), a few send garbage (invalid). Deterministic in shape, random in ids.
 */
export function shiftChange(settings: ShiftChangeSettings): ShiftChange {
  const bodies: string[] = [];
  const validPunchIds = new Set<string>();
  const sentValid: string[] = [];
  const punchesSoFar = new Map<string, number>();
  let duplicates = 0;
  let invalid = 0;
  const shiftStart = Date.parse("2026-11-23T11:00:00Z");

  for (let index = 0; index < settings.punches; index += 1) {
    const roll = (index * 7919) % 1000;
    if (sentValid.length > 0 && roll < settings.duplicateShare * 1000) {
      bodies.push(sentValid[(index * 31) % sentValid.length]!);
      duplicates += 1;
      continue;
    }
    const clock = index % settings.clocks;
    const employeeId = `${settings.runId}-c${clock}-e${Math.floor(index / settings.clocks) % EMPLOYEES_PER_CLOCK}`;
    const count = punchesSoFar.get(employeeId) ?? 0;
    punchesSoFar.set(employeeId, count + 1);
    const punch = {
      punchId: randomUUID(),
      employeeId,
      deviceId: `clock-${clock}`,
      kind: count % 2 === 0 ? "in" : "out",
      occurredAt: new Date(shiftStart + count * 4 * 3_600_000 + (index % 300) * 1_000).toISOString().replace("Z", "-03:00"),
    };
    if (roll >= 1000 - settings.invalidShare * 1000) {
      bodies.push(JSON.stringify({ ...punch, kind: "lunch" }));
      invalid += 1;
      continue;
    }
    const body = JSON.stringify(punch);
    bodies.push(body);
    sentValid.push(body);
    validPunchIds.add(punch.punchId);
  }
  return { bodies, validPunchIds, duplicates, invalid };
}
