import type { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsCredentials } from "../backends/backend.ts";
import type { EventSourceRunner, EventSourceStats } from "../lambda/eventSourceMapping/eventSourceRunner.ts";
import type { FunctionRuntime, FunctionStats } from "../lambda/functionRuntime.ts";
import { processTreeCpuSeconds, processTreeMemoryBytes } from "./processTree.ts";
import type { ProvisionedQueue } from "../sqs/provisionQueues.ts";
import { queueDepth } from "../sqs/queueDepth.ts";

export interface QueueStatus {
  /** As in serverless.yml's resources: "WorkQueue". */
  logicalId: string;
  name: string;
  url: string;
  visible: number;
  inFlight: number;
  delayed: number;
  /** inFlight: received and not deleted, e.g. hidden for a moment by the console reading them. */
  deadLetterQueue?: { name: string; url: string; visible: number; inFlight: number; maxReceiveCount: number };
}

/** GET /_local/status: what tools (a console, a load test, a redrive command) read of a running stack. */
export interface LocalStatus {
  stage: string;
  /** The SQS/S3 endpoint the stack's queues live on, and how a client signs in to it. */
  awsEndpoint: string;
  region: string;
  credentials: AwsCredentials;
  /** Memory (proportional set size) of the local stack's processes: this one and those it started. */
  memory: { bytes: number };
  /** CPU time those processes have used since they started (see processTreeCpuSeconds). */
  cpu: { seconds: number };
  queues: QueueStatus[];
  buckets: string[];
  functions: FunctionStats[];
  eventSources: EventSourceStats[];
  /** Connections open on the application's database, when the app gave a way to count them. */
  databaseConnections?: number | null;
  /** The HTTP API (httpApi events), when the template has one: where it answers and its route keys. */
  httpApi?: { url: string; routes: string[] };
}

/** What the app adds to the status: figures only it knows how to read. */
export interface StatusHooks {
  /** Connections in use on the database the functions use (e.g. rows of pg_stat_activity). */
  databaseConnections?: () => Promise<number>;
}

/** Reads the queues' depths and gathers the functions' and event sources' figures into one LocalStatus. */
export async function localStatus(
  about: Pick<LocalStatus, "stage" | "awsEndpoint" | "region" | "credentials" | "buckets">,
  sqs: SQSClient,
  queues: ProvisionedQueue[],
  functions: FunctionRuntime[],
  runners: EventSourceRunner[],
  hooks: StatusHooks = {},
): Promise<LocalStatus> {
  // A database that does not answer leaves its figure empty rather than failing the whole status.
  const connections = hooks.databaseConnections?.().catch(() => null);
  const [queueDepths, cpuSeconds] = await Promise.all([
    Promise.all(queues.map(async (queue) => [queue.logicalId, await queueDepth(sqs, queue.url)] as const)),
    processTreeCpuSeconds(),
  ]);
  const depths = new Map(queueDepths);
  const sourceQueues = queues.filter((queue) => !queues.some((other) => other.deadLetterQueueLogicalId === queue.logicalId));
  return {
    ...about,
    memory: { bytes: processTreeMemoryBytes() },
    cpu: { seconds: cpuSeconds },
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
            inFlight: depths.get(deadLetterQueue.logicalId)!.inFlight,
            maxReceiveCount: queue.maxReceiveCount ?? 0,
          },
        }),
      };
    }),
    functions: functions.map((runtime) => runtime.stats),
    eventSources: runners.map((runner) => runner.stats),
    ...(connections && { databaseConnections: await connections }),
  };
}
