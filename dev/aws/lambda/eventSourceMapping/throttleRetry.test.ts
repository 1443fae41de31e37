import { describe, expect, it } from "vitest";
import { nextThrottleRetry, THROTTLE_RETRY_MS } from "./throttleRetry.ts";

// The rule from https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html: a
// throttled batch is the mapping's until its visibility timeout ends, then back in the queue.
describe("a throttled batch", () => {
  it("is tried again after the retry interval while its visibility timeout lasts", () => {
    expect(nextThrottleRetry(0, 60_000)).toBe(THROTTLE_RETRY_MS);
  });

  it("goes back to the queue when the next try would come at or after its visibility timeout", () => {
    expect(nextThrottleRetry(60_000 - THROTTLE_RETRY_MS, 60_000)).toBeUndefined();
    expect(nextThrottleRetry(60_000, 60_000)).toBeUndefined();
  });
});
