import { readdirSync, readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";

let lastMeasured: number | undefined;
let measuring: Promise<void> | undefined;

/**
 * Memory of this process and every process it started (embedded Postgres and its backends),
 * from /proc. Proportional set size, so the shared buffers all Postgres backends map are counted
 * once, not once per backend as RSS would. Elsewhere than Linux, this process's RSS only.
 *
 * The kernel walks every mapping to answer smaps_rollup: for this process, a few tens of
 * milliseconds under load, which read synchronously at each status call took 9% of the event
 * loop's busy time during a burst. So the figure is read off the event loop, and a call returns
 * the one the previous call started (the first call waits for its own): at the status's sampling
 * rate it is one sample late, never lost.
 *
 * @example
 * const bytes = processTreeMemoryBytes(); // 321000000
 */
export function processTreeMemoryBytes(): number {
  measuring ??= treeMemoryBytes()
    .then((bytes) => void (lastMeasured = bytes))
    .finally(() => (measuring = undefined));
  return lastMeasured ?? treeMemoryBytesNow();
}

async function treeMemoryBytes(): Promise<number> {
  try {
    return (await sumOverTree(proportionalSetBytes)) || process.memoryUsage().rss;
  } catch {
    return process.memoryUsage().rss;
  }
}

/**
 * CPU time, in seconds, that this process and every process it started have used: user and
 * system, with a process that ended counted in its parent's once the parent reaped it (a Postgres
 * backend in its postmaster's). Read from /proc/<pid>/stat, which is cheap, unlike smaps. Elsewhere
 * than Linux, this process's own.
 *
 * @example
 * const before = await processTreeCpuSeconds();
 * // … a burst …
 * const used = (await processTreeCpuSeconds()) - before; // 41.7
 */
export async function processTreeCpuSeconds(): Promise<number> {
  const tree = process.platform === "linux" ? await sumOverTree(cpuSecondsOf).catch(() => 0) : 0;
  if (tree > 0) return tree;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** What the kernel counts time in for /proc/<pid>/stat: USER_HZ, 100 on every Linux Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time, in seconds, one process and the children it reaped have used (0 once it ended). */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => ""); // It ended while we looked.
  if (!stat) return 0;
  // Fields after the command name (which may hold spaces), from the third: utime is the 14th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  return ((utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0)) / CLOCK_TICKS_PER_SECOND;
}

/** `measure` of every process in this one's tree, added up. */
async function sumOverTree(measure: (pid: number) => Promise<number>): Promise<number> {
  let total = 0;
  const pending = [process.pid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    const [amount, children] = await Promise.all([measure(pid), childrenOf(pid)]);
    total += amount;
    pending.push(...children);
  }
  return total;
}

function treeMemoryBytesNow(): number {
  try {
    let total = 0;
    const pending = [process.pid];
    while (pending.length > 0) {
      const pid = pending.pop()!;
      total += pssOf(() => readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
      pending.push(...childrenFrom(() => readdirSync(`/proc/${pid}/task`), (thread) => readFileSync(`/proc/${pid}/task/${thread}/children`, "utf8")));
    }
    return total || process.memoryUsage().rss;
  } catch {
    return process.memoryUsage().rss;
  }
}

async function proportionalSetBytes(pid: number): Promise<number> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, "utf8").catch(() => ""); // It ended while we looked.
  return pssOf(() => rollup);
}

function pssOf(read: () => string): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(read())?.[1] ?? 0) * 1024;
  } catch {
    return 0; // It ended while we looked.
  }
}

/** Children of every thread of the process: only the tree is read, not all of /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  const threads = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(threads.map((thread) => readFile(`/proc/${pid}/task/${thread}/children`, "utf8").catch(() => "")));
  return childrenFrom(() => threads, (_thread, index) => lists[index]!);
}

function childrenFrom(threadsOf: () => string[], childrenList: (thread: string, index: number) => string): number[] {
  const children: number[] = [];
  let threads: string[];
  try {
    threads = threadsOf();
  } catch {
    return children;
  }
  threads.forEach((thread, index) => {
    try {
      const list = childrenList(thread, index).trim();
      if (list) children.push(...list.split(/\s+/).map(Number));
    } catch {
      // The thread ended while we looked.
    }
  });
  return children;
}
