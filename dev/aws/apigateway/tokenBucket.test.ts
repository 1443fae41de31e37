import { describe, expect, it } from "vitest";
import { fullBucket, refill } from "./tokenBucket.ts";

// The token bucket of https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html,
// with the account's defaults of https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
// (10,000 requests a second, a bucket of 5,000).
describe("API Gateway's token bucket", () => {
  const account = { rateLimit: 10_000, burstLimit: 5_000 };

  it("starts full, so a burst of burstLimit passes at once", () => {
    expect(fullBucket(account, 0).tokens).toBe(5_000);
  });

  it("refills at rateLimit a second and never holds more than burstLimit", () => {
    const bucket = { tokens: 0, refilledAt: 0 };
    refill(bucket, account, 100);
    expect(bucket.tokens).toBe(1_000);
    refill(bucket, account, 10_000);
    expect(bucket.tokens).toBe(5_000);
  });
});
