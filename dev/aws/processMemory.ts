import { readdirSync, readFileSync } from "node:fs";

/**
 * Memory of this process and every process it started (embedded Postgres and its backends),
 * from /proc. Proportional set size, so the shared buffers all Postgres backends map are counted
 * once, not once per backend as RSS would. Elsewhere than Linux, this process's RSS only.
 */
export function processTreeMemoryBytes(rootPid: number = process.pid): number {
  try {
    let total = 0;
    const pending = [rootPid];
    while (pending.length > 0) {
      const pid = pending.pop()!;
      total += proportionalSetBytes(pid);
      pending.push(...childrenOf(pid));
    }
    return total;
  } catch {
    return process.memoryUsage().rss;
  }
}

function proportionalSetBytes(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0) * 1024;
  } catch {
    return 0; // It ended while we looked.
  }
}

/** Children of every thread of the process: only the tree is read, not all of /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const thread of threads) {
    try {
      const list = readFileSync(`/proc/${pid}/task/${thread}/children`, "utf8").trim();
      if (list) children.push(...list.split(/\s+/).map(Number));
    } catch {
      // The thread ended while we looked.
    }
  }
  return children;
}
