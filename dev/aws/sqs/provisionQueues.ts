import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { LocalAwsError } from "../errors.ts";
import { resolveIntrinsics, resolveString } from "../cloudformation/intrinsics.ts";
import type { ResourceRegistry } from "../cloudformation/resourceRegistry.ts";
import type { QueueDefinition } from "../cloudformation/serviceModel.ts";
import { clientQueueUrl } from "./queueUrl.ts";

export interface ProvisionedQueue {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutSeconds: number;
  deadLetterQueueLogicalId?: string;
  maxReceiveCount?: number;
  /** A queue an event source reads that the service does not define (sqs/existingQueue.ts): the stack created nothing. */
  existing?: true;
}

/** CloudFormation properties that are plain SQS attributes, copied as they are. */
const PLAIN_ATTRIBUTES = [
  "DelaySeconds",
  "MaximumMessageSize",
  "MessageRetentionPeriod",
  "ReceiveMessageWaitTimeSeconds",
  "VisibilityTimeout",
] as const;
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

/**
 * Creates the template's queues, dead-letter queues first, and registers each under its logical
 * id so that later `Ref`/`Fn::GetAtt` resolve to it. Queues that exist already (a Docker backend
 * kept from an earlier run) get the template's attributes again. Each gets a URL every client can
 * send to through `endpoint`, the one `sqs` reaches (see clientQueueUrl).
 */
export async function provisionQueues(
  sqs: SQSClient,
  queues: QueueDefinition[],
  registry: ResourceRegistry,
  endpoint: string,
): Promise<ProvisionedQueue[]> {
  const ordered = [...queues].sort((a, b) => Number(Boolean(a.deadLetterQueueLogicalId)) - Number(Boolean(b.deadLetterQueueLogicalId)));
  const provisioned: ProvisionedQueue[] = [];
  for (const queue of ordered) {
    const properties = queue.properties;
    if (properties.FifoQueue) {
      throw new LocalAwsError(`${queue.logicalId} is a FIFO queue, which the local stack does not emulate yet`);
    }
    const name = resolveString(properties.QueueName ?? queue.logicalId, registry);
    const attributes: Record<string, string> = {};
    for (const key of PLAIN_ATTRIBUTES) {
      if (properties[key] !== undefined) attributes[key] = resolveString(properties[key], registry);
    }
    if (properties.RedrivePolicy !== undefined) {
      attributes.RedrivePolicy = JSON.stringify(resolveIntrinsics(properties.RedrivePolicy, registry));
    }
    const { QueueUrl: reported } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    if (!reported) throw new LocalAwsError(`the SQS endpoint created ${name} but returned no URL`);
    const url = clientQueueUrl(reported, endpoint);
    if (Object.keys(attributes).length > 0) {
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
    }
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
    const arn = Attributes?.QueueArn ?? `arn:aws:sqs:${registry.region}:${registry.accountId}:${name}`;
    registry.register(queue.logicalId, { ref: url, attributes: { Arn: arn, QueueName: name, QueueUrl: url } });
    provisioned.push({
      logicalId: queue.logicalId,
      name,
      url,
      arn,
      visibilityTimeoutSeconds: Number(attributes.VisibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS),
      ...(queue.deadLetterQueueLogicalId !== undefined && {
        deadLetterQueueLogicalId: queue.deadLetterQueueLogicalId,
        maxReceiveCount: queue.maxReceiveCount,
      }),
    });
  }
  return provisioned;
}
