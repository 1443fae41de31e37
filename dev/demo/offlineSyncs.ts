import { remoteClocks } from "../ponto/clockCredentials.ts";
import { percentile } from "./percentile.ts";

/** How the offline clocks' bulk syncs went, apart from the live burst. */
export interface SyncsReport {
  clocks: number;
  /** Answered 202 by POST /punches/batches. */
  accepted: number;
  done: number;
  failed: number;
  punches: number;
  persisted: number;
  duplicate: number;
  rejected: number;
  /** From the POST to the status URL saying done. */
  timeToDoneMs: { p50: number; max: number } | null;
}

interface SyncStatus {
  status: "pending" | "done" | "failed";
  counts?: { received: number; persisted: number; duplicate: number; rejected: number };
}

const POLL_EVERY_MS = 250;

/**
 * Each offline clock posts its backlog once (with an Idempotency-Key, as a clock should) and
 * polls its status URL until the sync settles or the deadline passes.
 */
export async function runOfflineSyncs(apiUrl: string, bodies: string[], runId: string, deadlineMs = 180_000): Promise<SyncsReport> {
  const deadline = Date.now() + deadlineMs;
  const clocks = remoteClocks(apiUrl);
  const outcomes = await Promise.all(
    bodies.map(async (body, clock) => {
      // Each offline clock authenticates as itself: its token and API key.
      const { headers } = await clocks.credentialsFor((JSON.parse(body) as { deviceId: string }).deviceId);
      const postedAt = Date.now();
      const response = await fetch(`${apiUrl}/punches/batches`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": `${runId}-offline-${clock}`, ...headers },
        body,
      });
      const answer = (await response.json()) as { statusUrl?: string };
      if (response.status !== 202 || !answer.statusUrl) return { accepted: false as const };
      for (;;) {
        const status = (await (await fetch(answer.statusUrl, { headers })).json()) as SyncStatus;
        if (status.status !== "pending" || Date.now() > deadline) return { accepted: true as const, status, ms: Date.now() - postedAt };
        await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
      }
    }),
  );
  const settled = outcomes.flatMap((outcome) => (outcome.accepted ? [outcome] : []));
  const done = settled.filter((outcome) => outcome.status.status === "done");
  const sum = (key: "received" | "persisted" | "duplicate" | "rejected") => done.reduce((total, outcome) => total + (outcome.status.counts?.[key] ?? 0), 0);
  const times = done.map((outcome) => outcome.ms).sort((a, b) => a - b);
  return {
    clocks: bodies.length,
    accepted: settled.length,
    done: done.length,
    failed: settled.filter((outcome) => outcome.status.status === "failed").length,
    punches: sum("received"),
    persisted: sum("persisted"),
    duplicate: sum("duplicate"),
    rejected: sum("rejected"),
    timeToDoneMs: times.length ? { p50: percentile(times, 50), max: times.at(-1)! } : null,
  };
}
