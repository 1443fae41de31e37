import { localDateOf, type RecordedPunch } from "./punch.ts";

export interface WorkedInterval {
  /** The device-local date of the clock-in: a night shift counts for the day it started. */
  date: string;
  in: PunchRef;
  out: PunchRef;
  minutes: number;
}

export interface PunchRef {
  punchId: string;
  occurredAt: string;
}

export interface UnmatchedPunch extends PunchRef {
  kind: "in" | "out";
  date: string;
  reason: "in without a following out" | "out without a preceding in";
}

export interface DayTotal {
  date: string;
  minutes: number;
  hours: number;
  intervals: WorkedInterval[];
}

export interface Timesheet {
  employeeId: string;
  from: string;
  to: string;
  days: DayTotal[];
  totalHours: number;
  unmatched: UnmatchedPunch[];
}

export interface DateRange {
  /** Inclusive, YYYY-MM-DD on the devices' clocks. */
  from: string;
  to: string;
}

/**
 * Pairs an employee's punches in `occurredAt` order into worked intervals. A punch that has no
 * partner is reported in `unmatched`, never paired by guesswork. Pass the punches of one day
 * either side of the range too, so that shifts crossing its edges pair correctly.
 *
 * @example
 * const sheet = timesheetFor("e-17", punches, { from: "2026-11-02", to: "2026-11-06" });
 * sheet.days[0]; // { date: "2026-11-02", minutes: 480, hours: 8, intervals: [...] }
 */
export function timesheetFor(employeeId: string, punches: RecordedPunch[], range: DateRange): Timesheet {
  const intervals: WorkedInterval[] = [];
  const unmatched: UnmatchedPunch[] = [];
  let openIn: RecordedPunch | undefined;

  for (const punch of [...punches].sort(byOccurrence)) {
    if (punch.kind === "in") {
      if (openIn) unmatched.push(unmatchedPunch(openIn, "in without a following out"));
      openIn = punch;
    } else if (openIn) {
      intervals.push(workedInterval(openIn, punch));
      openIn = undefined;
    } else {
      unmatched.push(unmatchedPunch(punch, "out without a preceding in"));
    }
  }
  if (openIn) unmatched.push(unmatchedPunch(openIn, "in without a following out"));

  const inRange = ({ date }: { date: string }) => date >= range.from && date <= range.to;
  const days = totalsPerDay(intervals.filter(inRange));
  const totalMinutes = days.reduce((sum, day) => sum + day.minutes, 0);
  return {
    employeeId,
    ...range,
    days,
    totalHours: toHours(totalMinutes),
    unmatched: unmatched.filter(inRange),
  };
}

function totalsPerDay(intervals: WorkedInterval[]): DayTotal[] {
  const days = new Map<string, DayTotal>();
  for (const interval of intervals) {
    const day = days.get(interval.date) ?? { date: interval.date, minutes: 0, hours: 0, intervals: [] };
    day.intervals.push(interval);
    day.minutes += interval.minutes;
    day.hours = toHours(day.minutes);
    days.set(interval.date, day);
  }
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}

function workedInterval(clockIn: RecordedPunch, clockOut: RecordedPunch): WorkedInterval {
  const milliseconds = Date.parse(clockOut.occurredAt) - Date.parse(clockIn.occurredAt);
  return {
    date: localDateOf(clockIn.occurredAt),
    in: punchRef(clockIn),
    out: punchRef(clockOut),
    minutes: Math.round(milliseconds / 60_000),
  };
}

function unmatchedPunch(punch: RecordedPunch, reason: UnmatchedPunch["reason"]): UnmatchedPunch {
  return { ...punchRef(punch), kind: punch.kind, date: localDateOf(punch.occurredAt), reason };
}

function punchRef({ punchId, occurredAt }: RecordedPunch): PunchRef {
  return { punchId, occurredAt };
}

/** By instant; at the same instant an out closes the previous shift before an in opens the next. */
function byOccurrence(a: RecordedPunch, b: RecordedPunch): number {
  return (
    Date.parse(a.occurredAt) - Date.parse(b.occurredAt) ||
    (a.kind === b.kind ? 0 : a.kind === "out" ? -1 : 1) ||
    a.punchId.localeCompare(b.punchId)
  );
}

function toHours(minutes: number): number {
  return Math.round((minutes / 60) * 100) / 100;
}
