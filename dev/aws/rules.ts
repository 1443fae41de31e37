/**
 * AWS's rules as the local stack runs them, pure: no I/O, no clock of their own. A tool that
 * models AWS without running it (a capacity planner) imports them from here, so it follows the
 * same implementation as the stack, never a copy.
 */
export { pollerLimits, nextTarget, eventPollersFor, INITIAL_POLLERS, MAX_POLLERS_PER_MAPPING, INVOCATIONS_PER_EVENT_POLLER, type ScalingSettings, type PollerLimits } from "./lambda/eventSourceMapping/scalingRules.ts";
export { batchOutcome, type BatchOutcome } from "./lambda/eventSourceMapping/batchOutcome.ts";
export { nextThrottleRetry, THROTTLE_RETRY_MS } from "./lambda/eventSourceMapping/throttleRetry.ts";
export { MAX_INVOCATION_PAYLOAD_BYTES } from "./lambda/eventSourceMapping/sqsRecord.ts";
export { ACCOUNT_CONCURRENCY, UNRESERVED_CONCURRENCY_MINIMUM } from "./lambda/concurrencyLimits.ts";
export { movesToDeadLetterQueue, MAX_IN_FLIGHT_MESSAGES } from "./sqs/redrivePolicy.ts";
export { fullBucket, refill, type TokenBucket, type Throttle } from "./apigateway/tokenBucket.ts";
export { readServiceModel } from "./cloudformation/serviceModel.ts";
export type { ServiceModel, QueueDefinition, FunctionDefinition, EventSourceMappingDefinition } from "./cloudformation/serviceModel.ts";
export { resourcesOfType, logicalIdOf, type CloudFormationTemplate } from "./cloudformation/intrinsics.ts";
export { configurationWarnings } from "./lambda/configurationWarnings.ts";
export { readRestApi } from "./apigateway/restApiModel.ts";
export { readAccessModel } from "./apigateway/accessModel.ts";
