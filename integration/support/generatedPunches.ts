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
