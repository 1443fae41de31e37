import { LocalAwsError } from "../errors.ts";
import type { ServiceModel } from "../cloudformation/serviceModel.ts";
import { INVOCATIONS_PER_EVENT_POLLER } from "./eventSourceMapping/scalingRules.ts";

/** AWS's advice: a queue's visibility timeout of at least six times the function timeout. */
const VISIBILITY_TIMEOUT_FACTOR = 6;
/** AWS's advice: with reserved concurrency, a maxReceiveCount of at least 5. */
const MIN_RECEIVE_COUNT_WITH_RESERVED = 5;
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;
/**
 * ProvisionedPollerConfig for SQS: MinimumPollers 2-200, MaximumPollers 2-10,000
 * (https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html), and not
 * together with ScalingConfig.MaximumConcurrency: "These are mutually exclusive options"
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
 */
const MINIMUM_POLLERS_RANGE = [2, 200] as const;
const MAXIMUM_POLLERS_RANGE = [2, 10_000] as const;

type Mapping = ServiceModel["eventSourceMappings"][number];
type FunctionOf = ServiceModel["functions"][number];
type QueueOf = ServiceModel["queues"][number];

/**
 * Checks the event source mappings as AWS would: settings AWS refuses throw (the deploy would
 * fail too), settings AWS advises against come back as warnings naming the setting and the fix.
 *
 * @example
 * configurationWarnings(model); // ["shop-local-consume ← shop-local-orders: the queue has no RedrivePolicy, …"]
 */
export function configurationWarnings(model: ServiceModel): string[] {
  return model.eventSourceMappings.flatMap((mapping) => {
    const fn = model.functions.find((candidate) => candidate.logicalId === mapping.functionLogicalId);
    const queue = model.queues.find((candidate) => candidate.logicalId === mapping.queueLogicalId);
    if (!fn) return [];
    if (!queue) {
      // A queue the service does not define: its settings are the backend's, the mapping's are still AWS's to refuse.
      refuseWhatAwsRefuses(`${fn.name} ← ${JSON.stringify(mapping.existingQueueArn)}`, mapping);
      return [];
    }
    const where = `${fn.name} ← ${String(queue.properties.QueueName ?? queue.logicalId)}`;
    refuseWhatAwsRefuses(where, mapping);
    return [
      ...visibilityAdvice(where, mapping, fn, queue),
      ...reservedConcurrencyAdvice(where, mapping, fn, queue),
      ...(queue.deadLetterQueueLogicalId === undefined
        ? [`${where}: the queue has no RedrivePolicy, so a message that always fails is retried until it expires. Add a DLQ.`]
        : []),
    ];
  });
}

/** The mapping's settings CreateEventSourceMapping would reject. */
function refuseWhatAwsRefuses(where: string, mapping: Mapping): void {
  if (mapping.batchSize < 1 || mapping.batchSize > 10_000) {
    throw new LocalAwsError(`${where}: batchSize must be 1-10000, got ${mapping.batchSize}`);
  }
  if (mapping.batchSize > 10 && mapping.maximumBatchingWindowSeconds < 1) {
    throw new LocalAwsError(`${where}: a batchSize above 10 needs maximumBatchingWindow of at least 1 s (AWS refuses it)`);
  }
  if (mapping.maximumBatchingWindowSeconds < 0 || mapping.maximumBatchingWindowSeconds > 300) {
    throw new LocalAwsError(`${where}: maximumBatchingWindow must be 0-300 s, got ${mapping.maximumBatchingWindowSeconds}`);
  }
  if (mapping.maximumConcurrency !== undefined && (mapping.maximumConcurrency < 2 || mapping.maximumConcurrency > 1_000)) {
    throw new LocalAwsError(`${where}: maximumConcurrency must be 2-1000, got ${mapping.maximumConcurrency}`);
  }
  const provisioned = mapping.provisionedPollers;
  if (!provisioned) return;
  if (mapping.maximumConcurrency !== undefined) {
    throw new LocalAwsError(
      `${where}: ProvisionedPollerConfig and maximumConcurrency (ScalingConfig.MaximumConcurrency) cannot be used together ` +
        "(AWS refuses it): remove maximumConcurrency and bound the event source with MaximumPollers, or drop provisioned mode",
    );
  }
  const [minLow, minHigh] = MINIMUM_POLLERS_RANGE;
  const [maxLow, maxHigh] = MAXIMUM_POLLERS_RANGE;
  if (!Number.isInteger(provisioned.minimum) || provisioned.minimum < minLow || provisioned.minimum > minHigh) {
    throw new LocalAwsError(`${where}: ProvisionedPollerConfig.MinimumPollers must be ${minLow}-${minHigh} for SQS, got ${provisioned.minimum}`);
  }
  if (!Number.isInteger(provisioned.maximum) || provisioned.maximum < maxLow || provisioned.maximum > maxHigh) {
    throw new LocalAwsError(`${where}: ProvisionedPollerConfig.MaximumPollers must be ${maxLow}-${maxHigh} for SQS, got ${provisioned.maximum}`);
  }
  if (provisioned.maximum < provisioned.minimum) {
    throw new LocalAwsError(`${where}: ProvisionedPollerConfig.MaximumPollers (${provisioned.maximum}) is below MinimumPollers (${provisioned.minimum})`);
  }
}

function visibilityAdvice(where: string, mapping: Mapping, fn: FunctionOf, queue: QueueOf): string[] {
  const visibilityTimeout = Number(queue.properties.VisibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS);
  if (visibilityTimeout < fn.timeoutSeconds) {
    // CreateEventSourceMapping's own words, as deploys report them (InvalidParameterValueException).
    throw new LocalAwsError(
      `${where}: Queue visibility timeout: ${visibilityTimeout} seconds is less than Function timeout: ${fn.timeoutSeconds} seconds. ` +
        `AWS refuses this event source mapping; set the queue's VisibilityTimeout to at least ${fn.timeoutSeconds} (six times, plus the batching window, is advised)`,
    );
  }
  const advisedVisibility = VISIBILITY_TIMEOUT_FACTOR * fn.timeoutSeconds + mapping.maximumBatchingWindowSeconds;
  if (visibilityTimeout >= advisedVisibility) return [];
  return [
    `${where}: the queue's VisibilityTimeout (${visibilityTimeout} s) is under six times the function timeout ` +
      `(${fn.timeoutSeconds} s) plus the batching window; a batch still running can be delivered again. ` +
      `Set VisibilityTimeout to at least ${advisedVisibility}.`,
  ];
}

/** Reserved concurrency below what the mapping may run throttles batches, and throttled receives count. */
function reservedConcurrencyAdvice(where: string, mapping: Mapping, fn: FunctionOf, queue: QueueOf): string[] {
  if (fn.reservedConcurrency === undefined) return [];
  if (fn.reservedConcurrency === 0) return [`${where}: reservedConcurrency is 0, the kill switch: nothing is consumed until it is raised.`];
  const provisioned = mapping.provisionedPollers;
  const warnings: string[] = [];
  if (queue.maxReceiveCount !== undefined && queue.maxReceiveCount < MIN_RECEIVE_COUNT_WITH_RESERVED) {
    warnings.push(
      `${where}: reservedConcurrency ${fn.reservedConcurrency} with maxReceiveCount ${queue.maxReceiveCount}: ` +
        `batches throttled by the reserved concurrency return to the queue and count as receives, so healthy ` +
        `messages can reach the DLQ. Raise maxReceiveCount to at least ${MIN_RECEIVE_COUNT_WITH_RESERVED}, or ` +
        (provisioned ? "size MaximumPollers to the reserved concurrency instead." : "cap the event source with maximumConcurrency instead."),
    );
  }
  if (provisioned) {
    const mostAtOnce = provisioned.maximum * INVOCATIONS_PER_EVENT_POLLER;
    if (mostAtOnce > fn.reservedConcurrency) {
      warnings.push(
        `${where}: MaximumPollers ${provisioned.maximum} may run up to ${mostAtOnce} batches at once (ten per event poller) ` +
          `but reservedConcurrency is ${fn.reservedConcurrency}, so batches will be throttled. Lower MaximumPollers ` +
          `(each poller drives up to ten invocations), or keep a maxReceiveCount high enough for the throttled receives.`,
      );
    }
  } else if (mapping.maximumConcurrency === undefined || mapping.maximumConcurrency > fn.reservedConcurrency) {
    warnings.push(
      `${where}: the poller may run ${mapping.maximumConcurrency ?? "5 or more"} batches at once but reservedConcurrency ` +
        `is ${fn.reservedConcurrency}, so batches will be throttled. Set the sqs event's maximumConcurrency to at most ` +
        `${fn.reservedConcurrency} (at least 2).`,
    );
  }
  return warnings;
}
