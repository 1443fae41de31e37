import { describe, expect, it } from "vitest";
import { Edge } from "./edge.ts";

// The account throttle's defaults are https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
// (10,000 requests a second, a bucket of 5,000); the order, usage plan first, is
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html.
const account = { rateLimit: 10_000, burstLimit: 5_000 };

/** Feeds `perTick` requests every 100 ms for a second and adds up what the edge did. */
function oneSecond(edge: Edge, perTick: number) {
  let accepted = 0;
  let retried = 0;
  for (let tick = 0; tick < 10; tick += 1) {
    const answer = edge.admit(perTick, tick * 100);
    accepted += answer.accepted;
    retried += answer.retried;
  }
  return { accepted, retried };
}

describe("API Gateway's account throttle", () => {
  it("lets the 5,000 burst and 10,000 a second through, and answers the rest 429", () => {
    const edge = new Edge({ account, clocks: 1, retryAfterMs: 1_000 });
    // 20,000 in one second: the bucket's 5,000, plus 1,000 refilled per 100 ms over the nine later ticks.
    const { accepted, retried } = oneSecond(edge, 2_000);
    expect(accepted).toBe(14_000);
    expect(retried).toBe(6_000);
    expect(edge.counts).toEqual({ requests: 20_000, accepted: 14_000, usagePlanThrottled: 0, accountThrottled: 6_000, quotaExceeded: 0 });
  });
});

describe("the clocks' usage plan", () => {
  // An account throttle out of the way, so only the plan decides.
  const roomy = { rateLimit: 1_000_000, burstLimit: 1_000_000 };

  it("holds each clock's key to its burst and rate: 429s the clocks send again", () => {
    // ponto's plan: rate 10, burst 50. 300 clocks each sending 100 requests in a second get
    // 50 + 9 refilled tokens each: 59 × 300 through.
    const edge = new Edge({ account: roomy, usagePlan: { rateLimit: 10, burstLimit: 50 }, clocks: 300, retryAfterMs: 1_000 });
    const { accepted, retried } = oneSecond(edge, 3_000);
    expect(accepted).toBe(59 * 300);
    expect(retried).toBe(30_000 - 59 * 300);
    expect(edge.counts.usagePlanThrottled).toBe(30_000 - 59 * 300);
  });

  it("refuses past the daily quota without a retry: the key is spent until the next UTC day", () => {
    const edge = new Edge({ account: roomy, usagePlan: { rateLimit: 1_000, burstLimit: 1_000, quotaPerDay: 20 }, clocks: 300, retryAfterMs: 1_000 });
    const answer = edge.admit(9_000, 0);
    expect(answer).toEqual({ accepted: 6_000, retried: 0 });
    expect(edge.counts.quotaExceeded).toBe(3_000);
  });
});
