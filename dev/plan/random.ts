/**
 * Deterministic randomness: the same seed gives the same run, so a plan and its what-ifs differ
 * only by their settings, and a test's expected figure never moves.
 */
export type Random = () => number;

/**
 * mulberry32, a small seeded generator: uniform in [0, 1).
 *
 * @example
 * const random = seededRandom(1);
 * random(); // the same number on every run
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The 95th percentile of the standard normal distribution. */
const Z95 = 1.6448536269514722;

/**
 * Handler durations whose median and 95th percentile are the ones given: a log-normal
 * distribution, the usual shape of service times (a long tail, never below zero). Equal figures
 * give that duration every time, as the analytic tests need.
 *
 * @example
 * const duration = durationSampler({ p50: 40, p95: 120 }, seededRandom(1));
 * duration(); // about 40 half of the time, above 120 one time in twenty
 */
export function durationSampler({ p50, p95 }: { p50: number; p95: number }, random: Random): () => number {
  if (p95 <= p50) return () => p50;
  const mu = Math.log(p50);
  const sigma = (Math.log(p95) - mu) / Z95;
  return () => {
    // Box-Muller: one standard normal draw from two uniform ones.
    const u = 1 - random();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return Math.exp(mu + sigma * normal);
  };
}
