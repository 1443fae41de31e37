import type { RouteThrottle } from "./httpApiModel.ts";

/**
 * A route's throttle as an HTTP API stage's route settings set it: a token bucket of
 * `ThrottlingBurstLimit` requests refilled at `ThrottlingRateLimit` a second ("Throttle requests
 * to your HTTP APIs"). `take()` is false for a request past the limit, which is answered 429.
 *
 * @example
 * const throttle = tokenBucket({ burstLimit: 1, rateLimit: 1 });
 * throttle.take(); // true
 * throttle.take(); // false, until a second has passed
 */
export function tokenBucket({ burstLimit, rateLimit }: RouteThrottle, now: () => number = Date.now): { take(): boolean } {
  let tokens = burstLimit;
  let updated = now();
  return {
    take() {
      const at = now();
      tokens = Math.min(burstLimit, tokens + ((at - updated) / 1000) * rateLimit);
      updated = at;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
