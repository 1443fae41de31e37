import { describe, expect, it } from "vitest";
import { eventPollersFor, nextTarget, pollerLimits, type ScalingSettings } from "./scalingRules.ts";

// Expected values from https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
// (standard mode: five at first, +300 a minute, at most 1,250, idle down to 2 unless
// maximumConcurrency is set) and its provisioned mode section (ten invocations per event poller).
const IDLE_AFTER_MS = 60_000;

/** Runs the rules one simulated second at a time: the fake clock the runner's timer stands for. */
function simulate(settings: ScalingSettings, seconds: number, seen: (second: number) => { backlogSeen: boolean; idleForMs: number }, from?: number) {
  let target = from ?? pollerLimits(settings).activeFloor;
  const timeline: number[] = [];
  for (let second = 1; second <= seconds; second += 1) {
    target = nextTarget(settings, target, seen(second), IDLE_AFTER_MS);
    timeline.push(Math.floor(target));
  }
  return timeline;
}
const backlog = () => ({ backlogSeen: true, idleForMs: 0 });
const idleSince = (startMs: number) => (second: number) => ({ backlogSeen: false, idleForMs: startMs + second * 1_000 });

describe("standard mode scaling", () => {
  it("starts with five concurrent batches", () => {
    expect(pollerLimits({}).activeFloor).toBe(5);
  });

  it("adds 300 concurrent batches a minute while the backlog lasts", () => {
    const timeline = simulate({}, 120, backlog);
    expect(timeline[59]).toBe(305);
    expect(timeline[119]).toBe(605);
  });

  it("never runs more than 1,250 batches for one mapping", () => {
    const timeline = simulate({}, 10 * 60, backlog);
    expect(Math.max(...timeline)).toBe(1_250);
    expect(timeline.at(-1)).toBe(1_250);
  });

  it("stops at maximumConcurrency exactly", () => {
    const timeline = simulate({ maximumConcurrency: 20 }, 60, backlog);
    expect(Math.max(...timeline)).toBe(20);
    expect(pollerLimits({ maximumConcurrency: 20 }).cap).toBe(20);
  });

  it("scales back to five while messages trickle in, and to two once the queue has been idle", () => {
    const busy = simulate({}, 60, backlog);
    const trickle = simulate({}, 120, () => ({ backlogSeen: false, idleForMs: 0 }), busy.at(-1));
    expect(trickle.at(-1)).toBe(5);
    const idle = simulate({}, 10, idleSince(IDLE_AFTER_MS), 5);
    expect(idle.at(-1)).toBe(2);
  });

  it("keeps five when the queue is idle if maximumConcurrency is set", () => {
    const idle = simulate({ maximumConcurrency: 10 }, 10, idleSince(IDLE_AFTER_MS), 5);
    expect(idle.every((target) => target === 5)).toBe(true);
    expect(pollerLimits({ maximumConcurrency: 10 }).idleFloor).toBe(5);
  });

  it("returns from the idle floor to five within a second of a message", () => {
    const [afterMessage] = simulate({}, 1, () => ({ backlogSeen: false, idleForMs: 0 }), 2);
    expect(afterMessage).toBe(5);
  });

  it("runs nothing with reserved concurrency 0, the kill switch", () => {
    expect(pollerLimits({ reservedConcurrency: 0 })).toMatchObject({ activeFloor: 0, idleFloor: 0 });
    expect(simulate({ reservedConcurrency: 0 }, 5, () => ({ backlogSeen: false, idleForMs: 0 }))).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("provisioned mode scaling", () => {
  const provisioned = { provisionedPollers: { minimum: 2, maximum: 3 } };

  it("runs ten invocations per event poller: MinimumPollers 2 and MaximumPollers 3 are 20 to 30 batches", () => {
    expect(pollerLimits(provisioned)).toEqual({ activeFloor: 20, idleFloor: 20, cap: 30 });
  });

  it("reaches the maximum pollers' worth under a backlog, never more, adding up to 1,000 a minute", () => {
    expect(Math.max(...simulate(provisioned, 30, backlog))).toBe(30);
    const wide = { provisionedPollers: { minimum: 2, maximum: 200 } };
    // 20 + 60 × 1,000/60, give or take the rounding of a per-second rate.
    expect(simulate(wide, 60, backlog)[59]).toBeGreaterThanOrEqual(1_019);
    expect(simulate(wide, 61, backlog)[60]).toBeLessThanOrEqual(1_036);
  });

  it("keeps the minimum pollers when idle, and counts pollers from the batches they run", () => {
    expect(simulate(provisioned, 5, idleSince(IDLE_AFTER_MS), 30).at(-1)).toBe(20);
    expect(eventPollersFor(provisioned.provisionedPollers, 27)).toBe(3);
    expect(eventPollersFor(provisioned.provisionedPollers, 0)).toBe(2);
  });
});
