import { fullBucket, refill, type Throttle, type TokenBucket } from "../aws/rules.ts";

/** What stands between a clock and the queue: API Gateway's throttles and the clocks' usage plan. */
export interface EdgeSettings {
  /** The account's throttle per Region: 10,000 requests a second, a bucket of 5,000 (AWS's defaults). */
  account: Throttle;
  /** One API key per clock, each held to this plan; none when the method takes no key. */
  usagePlan?: Throttle & { quotaPerDay?: number };
  clocks: number;
  /** A clock that gets a 429 keeps the punch and sends it again this much later. */
  retryAfterMs: number;
}

export interface EdgeCounts {
  requests: number;
  accepted: number;
  /** 429s from the usage plan's throttle, from the account's, and from the daily quota (not retried: the key is spent for the day). */
  usagePlanThrottled: number;
  accountThrottled: number;
  quotaExceeded: number;
}

/**
 * API Gateway in front of the queue, a tick at a time. The usage plan is checked before the
 * account's throttle, in the order of
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html.
 * The clocks share the load evenly, so one clock's bucket stands for each of them: what it lets
 * through, times the clocks, is what the plan lets through.
 */
export class Edge {
  readonly counts: EdgeCounts = { requests: 0, accepted: 0, usagePlanThrottled: 0, accountThrottled: 0, quotaExceeded: 0 };
  readonly #settings: EdgeSettings;
  readonly #account: TokenBucket;
  readonly #clock: TokenBucket | undefined;
  #clockQuotaUsed = 0;
  /** Fractions of a request the per-clock arithmetic leaves, carried so totals stay whole. */
  #carry = 0;

  constructor(settings: EdgeSettings) {
    this.#settings = settings;
    this.#account = fullBucket(settings.account, 0);
    this.#clock = settings.usagePlan ? fullBucket(settings.usagePlan, 0) : undefined;
  }

  /** Requests arriving at `now`; returns how many reach the queue and how many are refused and will come back. */
  admit(requests: number, now: number): { accepted: number; retried: number } {
    if (requests === 0) return { accepted: 0, retried: 0 };
    this.counts.requests += requests;
    const { passed, overQuota } = this.#throughUsagePlan(requests, now);
    refill(this.#account, this.#settings.account, now);
    const accepted = Math.min(passed, Math.floor(this.#account.tokens));
    this.#account.tokens -= accepted;
    this.counts.accountThrottled += passed - accepted;
    this.counts.accepted += accepted;
    // A request over the day's quota is not sent again: the key would be refused all day.
    return { accepted, retried: requests - overQuota - accepted };
  }

  #throughUsagePlan(requests: number, now: number): { passed: number; overQuota: number } {
    const { usagePlan, clocks } = this.#settings;
    if (!usagePlan || !this.#clock) return { passed: requests, overQuota: 0 };
    const perClock = requests / clocks;
    const quotaLeft = usagePlan.quotaPerDay === undefined ? Infinity : Math.max(0, usagePlan.quotaPerDay - this.#clockQuotaUsed);
    const withinQuota = Math.min(perClock, quotaLeft);
    refill(this.#clock, usagePlan, now);
    const throughPlan = Math.min(withinQuota, this.#clock.tokens);
    this.#clock.tokens -= throughPlan;
    this.#clockQuotaUsed += throughPlan;
    const exact = throughPlan * clocks + this.#carry;
    const passed = Math.min(requests, Math.floor(exact + 1e-9));
    this.#carry = exact - passed;
    const overQuota = Math.min(requests - passed, Math.round((perClock - withinQuota) * clocks));
    this.counts.quotaExceeded += overQuota;
    this.counts.usagePlanThrottled += requests - passed - overQuota;
    return { passed, overQuota };
  }
}
