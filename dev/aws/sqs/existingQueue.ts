import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { LocalAwsError } from "../errors.ts";
import type { ProvisionedQueue } from "./provisionQueues.ts";
import { clientQueueUrl } from "./queueUrl.ts";

/** The parts of an SQS queue ARN, `arn:<partition>:sqs:<region>:<account>:<name>`. */
export interface QueueArn {
  region: string;
  accountId: string;
  name: string;
}

const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

/**
 * Reads a queue ARN as Lambda's CreateEventSourceMapping takes it (EventSourceArn); anything
 * else is refused, naming what was given.
 *
 * @example
 * queueArnParts("arn:aws:sqs:us-east-1:000000000000:jobs"); // { region: "us-east-1", accountId: "000000000000", name: "jobs" }
 */
export function queueArnParts(arn: string, where: string): QueueArn {
  const match = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/.exec(arn);
  if (!match) throw new LocalAwsError(`${where}: "${arn}" is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)`);
  const [, region, accountId, name] = match as unknown as [string, string, string, string];
  return { region, accountId, name };
}

/**
 * A queue the service reads but does not define (an `sqs` event naming an existing queue's ARN),
 * as the backend holds it: AWS needs it to exist before the deploy, and so does the local stack.
 * One the backend does not hold, or of another account or region, is refused, naming it.
 *
 * @example
 * const queue = await existingQueue(sqs, "arn:aws:sqs:us-east-1:000000000000:jobs", { region: "us-east-1", accountId: "000000000000", endpoint, where: "worker" });
 */
export async function existingQueue(
  sqs: SQSClient,
  arn: string,
  { region, accountId, endpoint, where }: { region: string; accountId: string; endpoint: string; where: string },
): Promise<ProvisionedQueue> {
  const parts = queueArnParts(arn, where);
  if (parts.region !== region || parts.accountId !== accountId) {
    throw new LocalAwsError(
      `${where} reads ${arn}, a queue of account ${parts.accountId} in ${parts.region}; the local stack runs account ${accountId} in ${region}, ` +
        "and an event source reads a queue of its own account and region",
    );
  }
  let reported: string | undefined;
  try {
    ({ QueueUrl: reported } = await sqs.send(new GetQueueUrlCommand({ QueueName: parts.name })));
  } catch (error) {
    if (!/QueueDoesNotExist|NonExistentQueue/.test((error as Error).name)) throw error;
  }
  if (!reported) {
    throw new LocalAwsError(
      `${where} reads ${arn}, a queue this service does not define and the backend does not hold. ` +
        `Create queue ${parts.name} before the start (a deploy needs it to exist too), or define it under resources`,
    );
  }
  const url = clientQueueUrl(reported, endpoint);
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout"] }));
  return {
    // It has no logical id in this template: its name stands for one in the console and the logs.
    logicalId: parts.name,
    name: parts.name,
    url,
    arn,
    visibilityTimeoutSeconds: Number(Attributes.VisibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS),
    existing: true,
  };
}
