/**
 * When the punches arrive at the API: whole requests per second of the plan, from a shape or from
 * a file. A flat shape spreads them evenly; a peak rises to the middle of the window and falls
 * again, as a shift change does around the hour.
 */
export type ArrivalShape = "flat" | "peak";

/**
 * Requests per second for `total` requests over `seconds`, as whole numbers that add up to total.
 *
 * @example
 * arrivalsPerSecond(10, 4, "flat"); // [3, 2, 3, 2]
 * arrivalsPerSecond(8, 4, "peak");  // [1, 3, 3, 1]
 */
export function arrivalsPerSecond(total: number, seconds: number, shape: ArrivalShape): number[] {
  const slots = Math.max(1, Math.round(seconds));
  // The share of the window's requests that arrive by the end of second s (a cumulative distribution).
  const cumulative = (s: number) => {
    const x = s / slots;
    if (shape === "flat") return x;
    return x <= 0.5 ? 2 * x * x : 1 - 2 * (1 - x) * (1 - x);
  };
  const perSecond: number[] = [];
  let sent = 0;
  for (let second = 1; second <= slots; second += 1) {
    const by = Math.round(total * cumulative(second));
    perSecond.push(by - sent);
    sent = by;
  }
  return perSecond;
}

/**
 * Arrivals from a CSV of one line a second: `count` alone, or `second,count` (the seconds need not
 * start at 0; gaps are seconds with none). A header line is skipped.
 *
 * @example
 * arrivalsFromCsv("second,count\n0,120\n1,340\n3,10\n"); // [120, 340, 0, 10]
 */
export function arrivalsFromCsv(text: string): number[] {
  const rows = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const parsed: Array<{ second: number | undefined; count: number }> = [];
  rows.forEach((line, index) => {
    const cells = line.split(/[,;\t]/).map((cell) => cell.trim());
    const numbers = cells.map(Number);
    if (numbers.some((value) => !Number.isFinite(value))) {
      if (index === 0) return; // a header
      throw new Error(`arrivals line ${index + 1} is not "count" or "second,count": "${line}"`);
    }
    const count = numbers.at(-1)!;
    if (!Number.isInteger(count) || count < 0) throw new Error(`arrivals line ${index + 1}: the count must be a whole number, got "${line}"`);
    parsed.push({ second: numbers.length > 1 ? numbers[0] : undefined, count });
  });
  if (parsed.length === 0) throw new Error("the arrivals file has no counts");
  if (parsed.every((row) => row.second === undefined)) return parsed.map((row) => row.count);
  const first = Math.min(...parsed.map((row) => row.second ?? 0));
  const perSecond: number[] = [];
  for (const { second, count } of parsed) {
    const slot = Math.round((second ?? 0) - first);
    while (perSecond.length <= slot) perSecond.push(0);
    perSecond[slot]! += count;
  }
  return perSecond;
}

/**
 * A duration flag: "10m", "90s", "1h" or plain seconds.
 *
 * @example
 * durationSeconds("10m"); // 600
 */
export function durationSeconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration such as 10m, 90s or 1h`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3_600 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
}
