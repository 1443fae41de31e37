import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { EventSourceRunner, EventSourceStats } from "./lambda/eventSourceRunner.ts";
import type { FunctionRuntime, FunctionStats } from "./lambda/functionRuntime.ts";
import { processTreeMemoryBytes } from "./processMemory.ts";
import type { ProvisionedQueue } from "./sqs/provisionQueues.ts";

export interface QueueStatus {
  /** As in serverless.yml's resources: "PunchesQueue". */
  logicalId: string;
  name: string;
  url: string;
  visible: number;
  inFlight: number;
  delayed: number;
  deadLetterQueue?: { name: string; url: string; visible: number; maxReceiveCount: number };
}

/** GET /_local/status: what the demo, the suites and the dev console read. */
export interface LocalStatus {
  stage: string;
  /** The SQS/S3 endpoint the stack's queues live on. */
  awsEndpoint: string;
  region: string;
  /** Memory (proportional set size) of the local stack's processes: this one and those it started. */
  memory: { bytes: number };
  queues: QueueStatus[];
  buckets: string[];
  functions: FunctionStats[];
  eventSources: EventSourceStats[];
}

export async function localStatus(
  { stage, awsEndpoint, region, buckets }: { stage: string; awsEndpoint: string; region: string; buckets: string[] },
  sqs: SQSClient,
  queues: ProvisionedQueue[],
  functions: FunctionRuntime[],
  runners: EventSourceRunner[],
): Promise<LocalStatus> {
  const depths = new Map(
    await Promise.all(queues.map(async (queue) => [queue.logicalId, await depthOf(sqs, queue.url)] as const)),
  );
  const sourceQueues = queues.filter((queue) => !queues.some((other) => other.deadLetterQueueLogicalId === queue.logicalId));
  return {
    stage,
    awsEndpoint,
    region,
    memory: { bytes: processTreeMemoryBytes() },
    queues: sourceQueues.map((queue) => {
      const deadLetterQueue = queues.find((other) => other.logicalId === queue.deadLetterQueueLogicalId);
      return {
        logicalId: queue.logicalId,
        name: queue.name,
        url: queue.url,
        ...depths.get(queue.logicalId)!,
        ...(deadLetterQueue && {
          deadLetterQueue: {
            name: deadLetterQueue.name,
            url: deadLetterQueue.url,
            visible: depths.get(deadLetterQueue.logicalId)!.visible,
            maxReceiveCount: queue.maxReceiveCount ?? 0,
          },
        }),
      };
    }),
    buckets,
    functions: functions.map((runtime) => runtime.stats),
    eventSources: runners.map((runner) => runner.stats),
  };
}

async function depthOf(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
