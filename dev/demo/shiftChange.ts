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
  /** Clocks that come back online during the burst and sync their backlog in bulk (default none). */
  offlineClocks?: number;
  /** Punches in each offline clock's backlog. */
  backlogPunches?: number;
}

/** The bulk syncs of the offline clocks: one POST /punches/batches body each. */
export interface OfflineBacklogs {
  bodies: string[];
  /** The valid punches among them, some of which were also sent live. */
  validPunchIds: Set<string>;
  invalid: number;
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

/**
 * What clocks that were offline hold when they come back: hours of their own employees' punches,
 * invalid ones at the live share, and at the duplicate share punches the live path also carries
 * (a clock that sent them before its link dropped, without hearing back).
 */
export function offlineBacklogs(settings: ShiftChangeSettings, live: ShiftChange): OfflineBacklogs {
  const validPunchIds = new Set<string>();
  const liveValid = live.bodies.filter((body) => live.validPunchIds.has((JSON.parse(body) as { punchId: string }).punchId));
  let invalid = 0;
  const backlogStart = Date.parse("2026-11-23T03:00:00Z");
  const bodies = Array.from({ length: settings.offlineClocks ?? 0 }, (_, clock) => {
    const deviceId = `offline-clock-${clock}`;
    const punches = Array.from({ length: settings.backlogPunches ?? 0 }, (_, index) => {
      const roll = ((index + clock) * 7919) % 1000;
      if (liveValid.length > 0 && roll < settings.duplicateShare * 1000) {
        const resent = JSON.parse(liveValid[(index * 31 + clock) % liveValid.length]!) as { punchId: string };
        validPunchIds.add(resent.punchId);
        return resent;
      }
      const employee = index % EMPLOYEES_PER_CLOCK;
      const round = Math.floor(index / EMPLOYEES_PER_CLOCK);
      const punch = {
        punchId: randomUUID(),
        employeeId: `${settings.runId}-o${clock}-e${employee}`,
        deviceId,
        kind: round % 2 === 0 ? "in" : "out",
        occurredAt: new Date(backlogStart + round * 600_000 + employee * 1_000).toISOString().replace("Z", "-03:00"),
      };
      if (roll >= 1000 - settings.invalidShare * 1000) {
        invalid += 1;
        return { ...punch, kind: "lunch" };
      }
      validPunchIds.add(punch.punchId);
      return punch;
    });
    return JSON.stringify({ deviceId, punches });
  });
  return { bodies, validPunchIds, invalid };
}
