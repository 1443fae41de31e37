import { readdirSync, readFileSync } from "node:fs";

/**
 * Memory of this process and every process it started (embedded Postgres and its backends),
 * from /proc. Proportional set size, so the shared buffers all Postgres backends map are counted
 * once, not once per backend as RSS would. Elsewhere than Linux, this process's RSS only.
 */
export function processTreeMemoryBytes(rootPid: number = process.pid): number {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return process.memoryUsage().rss;
  }
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of entries) {
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const parent = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const proportionalKb = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/smaps_rollup`, "utf8"))?.[1] ?? 0);
      const pid = Number(entry);
      rss.set(pid, proportionalKb * 1024);
      children.set(parent, [...(children.get(parent) ?? []), pid]);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    total += rss.get(pid) ?? 0;
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}
