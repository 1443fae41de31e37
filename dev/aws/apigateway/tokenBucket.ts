/**
 * API Gateway throttles with a token bucket, for the account as for a usage plan's key
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html):
 * a bucket of `burstLimit` tokens refilled at `rateLimit` a second; a request takes one, and
 * with none left it is answered 429.
 */
export interface TokenBucket {
  tokens: number;
  refilledAt: number;
}

export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

/** A full bucket at `now`: API Gateway lets a burst through at once. */
export function fullBucket(throttle: Throttle, now: number): TokenBucket {
  return { tokens: throttle.burstLimit, refilledAt: now };
}

/**
 * Tops the bucket up for the time since its last refill, never past the burst limit.
 *
 * @example
 * const bucket = { tokens: 0, refilledAt: 0 };
 * refill(bucket, { rateLimit: 10, burstLimit: 50 }, 1_000); // bucket.tokens is 10
 */
export function refill(bucket: TokenBucket, throttle: Throttle, now: number): void {
  bucket.tokens = Math.min(throttle.burstLimit, bucket.tokens + ((now - bucket.refilledAt) / 1000) * throttle.rateLimit);
  bucket.refilledAt = now;
}
