/*
 * A batch the function cannot take (its concurrency is used up) is not handed back at once: the
 * mapping retries the invocation while the messages are still its own, and once their visibility
 * timeout ends SQS makes them visible again, their receive counted, so a throttled batch can reach
 * the DLQ after maxReceiveCount receives. From https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * and the reserved concurrency caveat of https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
 * ("throttled batches return to the queue"). AWS publishes no retry interval; this is the runner's.
 */
export const THROTTLE_RETRY_MS = 200;

/**
 * When a throttled batch is tried again, or undefined when its visibility timeout ends first and
 * the messages go back to the queue.
 *
 * @example
 * nextThrottleRetry(1_000, 60_000); // 1200
 * nextThrottleRetry(59_900, 60_000); // undefined
 */
export function nextThrottleRetry(now: number, visibilityEndsAt: number): number | undefined {
  const retryAt = now + THROTTLE_RETRY_MS;
  return retryAt >= visibilityEndsAt ? undefined : retryAt;
}
