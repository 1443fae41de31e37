/*
 * Standard mode, from https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html:
 * "Lambda starts processing five batches at a time with five concurrent invocations", adds "up to
 * 300 more concurrent invokes per minute" up to 1,250, and "when traffic is low … scales back the
 * processing to five concurrent invokes, and can optimize to as few as 2 concurrent invokes …
 * However, this optimization is not available when you enable the maximum concurrency setting."
 */
export const INITIAL_POLLERS = 5;
export const IDLE_POLLERS = 2;
export const MAX_POLLERS_PER_MAPPING = 1_250;
/** +300 concurrent batches per minute, as +5 per second. */
export const STANDARD_SCALE_PER_SECOND = 300 / 60;
/*
 * Provisioned mode, from the same page and
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html#invocation-eventsourcemapping-provisioned-mode:
 * "each event poller can handle up to 1 MB/sec of throughput, up to 10 concurrent invokes, or up
 * to 10 Amazon SQS polling API calls per second", and Lambda scales the pollers between the
 * minimum and maximum "quickly adding up to 1,000 concurrency per minute".
 */
export const INVOCATIONS_PER_EVENT_POLLER = 10;
export const PROVISIONED_SCALE_PER_SECOND = 1_000 / 60;

/** What of a mapping and its function decides how many batches run at once. */
export interface ScalingSettings {
  maximumConcurrency?: number | undefined;
  /** ProvisionedPollerConfig: provisioned mode, between these numbers of event pollers. */
  provisionedPollers?: { minimum: number; maximum: number } | undefined;
  /** The function's reserved concurrency; 0 is the kill switch. */
  reservedConcurrency?: number | undefined;
}

/** The bounds the concurrent batches move between. */
export interface PollerLimits {
  /** What the mapping runs while messages come: five batches in standard mode, the minimum pollers' worth in provisioned mode. */
  activeFloor: number;
  /** What an idle queue keeps: two batches in standard mode, unless maximumConcurrency is set. */
  idleFloor: number;
  /** The most batches at once: maximumConcurrency or AWS's ceiling, or ten per maximum event poller. */
  cap: number;
}

/**
 * The mapping's bounds, as AWS documents them per mode.
 *
 * @example
 * pollerLimits({}); // { activeFloor: 5, idleFloor: 2, cap: 1250 }
 * pollerLimits({ provisionedPollers: { minimum: 2, maximum: 3 } }); // { activeFloor: 20, idleFloor: 20, cap: 30 }
 */
export function pollerLimits(settings: ScalingSettings): PollerLimits {
  const provisioned = settings.provisionedPollers;
  const cap = provisioned
    ? provisioned.maximum * INVOCATIONS_PER_EVENT_POLLER
    : Math.min(settings.maximumConcurrency ?? MAX_POLLERS_PER_MAPPING, MAX_POLLERS_PER_MAPPING);
  // Reserved concurrency 0 is the kill switch: the mapping receives nothing at all.
  if (settings.reservedConcurrency === 0) return { activeFloor: 0, idleFloor: 0, cap };
  const activeFloor = provisioned ? provisioned.minimum * INVOCATIONS_PER_EVENT_POLLER : Math.min(INITIAL_POLLERS, cap);
  const keepsActiveFloor = provisioned !== undefined || settings.maximumConcurrency !== undefined;
  return { activeFloor, idleFloor: keepsActiveFloor ? activeFloor : IDLE_POLLERS, cap };
}

/** What one second of the mapping saw: whether a poll came back full, and how long the queue has given nothing. */
export interface ScalingObservation {
  backlogSeen: boolean;
  idleForMs: number;
}

/**
 * The concurrent batches wanted after one more second: up by the mode's rate while polls come
 * back full (never past the cap), otherwise down by it to the active floor, or to the idle floor
 * once the queue has been idle for `idleScaleDownMs`. Fractional, so a per-minute rate adds up
 * second by second; the runner runs `Math.floor` of it.
 *
 * @example
 * let target = pollerLimits({}).activeFloor; // 5
 * for (let second = 0; second < 60; second++) target = nextTarget({}, target, { backlogSeen: true, idleForMs: 0 }, 60_000);
 * target; // 305
 */
export function nextTarget(settings: ScalingSettings, target: number, seen: ScalingObservation, idleScaleDownMs: number): number {
  const limits = pollerLimits(settings);
  const rate = settings.provisionedPollers ? PROVISIONED_SCALE_PER_SECOND : STANDARD_SCALE_PER_SECOND;
  if (seen.backlogSeen) return Math.min(limits.cap, target + rate);
  const floor = seen.idleForMs >= idleScaleDownMs ? limits.idleFloor : limits.activeFloor;
  return Math.max(floor, target - rate);
}

/**
 * Provisioned mode: the event pollers a number of concurrent batches amounts to, never below the minimum.
 *
 * @example
 * eventPollersFor({ minimum: 2, maximum: 3 }, 27); // 3
 */
export function eventPollersFor(provisioned: { minimum: number; maximum: number }, concurrentBatches: number): number {
  return Math.max(provisioned.minimum, Math.ceil(concurrentBatches / INVOCATIONS_PER_EVENT_POLLER));
}
