import fc from "fast-check";

const digits = (length: number, max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(length, "0"));

/**
 * Timestamps shaped like ISO 8601 with out-of-range parts mixed in: months to 19, days to 39,
 * hours to 29, minutes and seconds to 69, offsets to ±29:69, year 0000 and leap days.
 */
export const occurredAtCandidates = fc
  .record({
    year: fc.oneof(digits(4, 9999), fc.constantFrom("0000", "1900", "2000", "2024", "2026", "2100", "2400")),
    month: digits(2, 19),
    day: digits(2, 39),
    hour: digits(2, 29),
    minute: digits(2, 69),
    second: fc.option(digits(2, 69)),
    fraction: fc.option(fc.integer({ min: 0, max: 999_999_999 }).map(String)),
    offset: fc.oneof(fc.constant("Z"), fc.tuple(fc.constantFrom("+", "-"), digits(2, 29), digits(2, 69)).map(([sign, h, m]) => `${sign}${h}:${m}`)),
  })
  .map(({ year, month, day, hour, minute, second, fraction, offset }) => {
    const seconds = second === null ? "" : `:${second}${fraction === null ? "" : `.${fraction}`}`;
    return `${year}-${month}-${day}T${hour}:${minute}${seconds}${offset}`;
  });

/** Timestamps that look like ISO 8601 but name no instant a clock could show, each with what is wrong. */
export const UNREAL_INSTANTS: ReadonlyArray<[what: string, occurredAt: string]> = [
  ["month 13", "2026-13-01T08:00:00Z"],
  ["hour 25", "2026-11-23T25:00:00Z"],
  ["offset +25:00", "2026-11-23T08:00:00+25:00"],
  ["year 0000", "0000-01-01T08:00:00Z"],
  ["30 February", "2026-02-30T08:00:00Z"],
  ["29 February of a common year", "2026-02-29T08:00:00Z"],
  ["second 60", "2026-11-23T23:59:60Z"],
];
