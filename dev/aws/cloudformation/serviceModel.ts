import { logicalIdOf, resourcesOfType, type CloudFormationTemplate } from "./intrinsics.ts";

/**
 * The parts of the compiled template that the local stack runs, read once into plain types; the
 * API's routes are API Gateway's own model (apigateway/restApiModel.ts).
 */
export interface ServiceModel {
  queues: QueueDefinition[];
  buckets: BucketDefinition[];
  functions: FunctionDefinition[];
  eventSourceMappings: EventSourceMappingDefinition[];
}

export interface QueueDefinition {
  logicalId: string;
  /** Unresolved properties: QueueName and RedrivePolicy may hold intrinsics. */
  properties: Record<string, unknown>;
  deadLetterQueueLogicalId?: string;
  maxReceiveCount?: number;
}

export interface BucketDefinition {
  logicalId: string;
  /** Unresolved: the name may be built with intrinsics. */
  bucketName: unknown;
}

export interface FunctionDefinition {
  logicalId: string;
  name: string;
  /** As in serverless.yml: "src/handlers/consume.handler". */
  handler: string;
  /** AWS::Lambda::Function Runtime, one the local stack runs (lambda/nodeRuntimes.ts): "nodejs22.x". */
  runtime: string;
  timeoutSeconds: number;
  memoryMegabytes: number;
  reservedConcurrency?: number;
  environment: Record<string, unknown>;
}

export interface EventSourceMappingDefinition {
  functionLogicalId: string;
  /** The template's queue it reads; undefined when it reads a queue the service does not define. */
  queueLogicalId?: string;
  /**
   * EventSourceArn as written, for a queue the service does not define: a literal ARN, or one
   * built from pseudo parameters (`Fn::Join` of `AWS::Region`, `AWS::AccountId`).
   */
  existingQueueArn?: unknown;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
  /**
   * ProvisionedPollerConfig, AWS's defaults filled in (2 and 200 for SQS). The framework may not
   * write it: serverless.yml can add it to the compiled mapping through `resources.extensions`.
   */
  provisionedPollers?: { minimum: number; maximum: number };
  enabled: boolean;
}

const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 6;
/** ProvisionedPollerConfig's defaults for SQS (https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html). */
const DEFAULT_MINIMUM_POLLERS = 2;
const DEFAULT_MAXIMUM_POLLERS = 200;

/**
 * Reads what the local AWS runs from a compiled template: queues, buckets, functions and event
 * source mappings. A construct it cannot run fails here, naming it.
 *
 * @example
 * const model = readServiceModel((await packageService({ configPath: "serverless.yml", stage: "local" })).template);
 */
export function readServiceModel(template: CloudFormationTemplate): ServiceModel {
  return {
    queues: resourcesOfType(template, "AWS::SQS::Queue").map(([logicalId, properties]) => {
      const redrive = properties.RedrivePolicy as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown } | undefined;
      return {
        logicalId,
        properties,
        ...(redrive && {
          deadLetterQueueLogicalId: logicalIdOf(redrive.deadLetterTargetArn, `${logicalId}.RedrivePolicy`),
          maxReceiveCount: Number(redrive.maxReceiveCount),
        }),
      };
    }),
    buckets: resourcesOfType(template, "AWS::S3::Bucket")
      // The framework's bucket holds the deployment zips on AWS; locally the handlers run from source.
      .filter(([logicalId]) => logicalId !== "ServerlessDeploymentBucket")
      .map(([logicalId, properties]) => ({ logicalId, bucketName: properties.BucketName })),
    functions: resourcesOfType(template, "AWS::Lambda::Function").map(([logicalId, properties]) => ({
      logicalId,
      name: String(properties.FunctionName ?? logicalId),
      handler: String(properties.Handler),
      // Checked against the runtimes the local stack runs when it deploys (lambda/nodeRuntimes.ts).
      runtime: String(properties.Runtime ?? `(none: PackageType ${String(properties.PackageType ?? "Zip")})`),
      timeoutSeconds: Number(properties.Timeout ?? DEFAULT_FUNCTION_TIMEOUT_SECONDS),
      memoryMegabytes: Number(properties.MemorySize ?? 1024),
      ...(properties.ReservedConcurrentExecutions !== undefined && {
        reservedConcurrency: Number(properties.ReservedConcurrentExecutions),
      }),
      environment: (properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
    })),
    eventSourceMappings: resourcesOfType(template, "AWS::Lambda::EventSourceMapping").map(([logicalId, properties]) => {
      const scaling = properties.ScalingConfig as { MaximumConcurrency?: number } | undefined;
      const provisioned = properties.ProvisionedPollerConfig as { MinimumPollers?: unknown; MaximumPollers?: unknown } | undefined;
      return {
        functionLogicalId: logicalIdOf(properties.FunctionName, `${logicalId}.FunctionName`),
        ...queueOfMapping(properties.EventSourceArn),
        batchSize: Number(properties.BatchSize ?? 10),
        maximumBatchingWindowSeconds: Number(properties.MaximumBatchingWindowInSeconds ?? 0),
        reportBatchItemFailures: ((properties.FunctionResponseTypes as string[] | undefined) ?? []).includes(
          "ReportBatchItemFailures",
        ),
        ...(scaling?.MaximumConcurrency !== undefined && { maximumConcurrency: scaling.MaximumConcurrency }),
        ...(provisioned && {
          provisionedPollers: {
            minimum: Number(provisioned.MinimumPollers ?? DEFAULT_MINIMUM_POLLERS),
            maximum: Number(provisioned.MaximumPollers ?? DEFAULT_MAXIMUM_POLLERS),
          },
        }),
        enabled: properties.Enabled !== false,
      };
    }),
  };
}

/**
 * The queue an event source mapping reads: a queue of the template (`Fn::GetAtt [Queue, Arn]`),
 * or an existing one its ARN names, which the deployment looks up in the backend.
 */
function queueOfMapping(eventSourceArn: unknown): Pick<EventSourceMappingDefinition, "queueLogicalId" | "existingQueueArn"> {
  const queueLogicalId = logicalIdOf(eventSourceArn, "EventSourceArn", true);
  // A Ref to a pseudo parameter inside Fn::Join is no resource of the template.
  return queueLogicalId === undefined ? { existingQueueArn: eventSourceArn } : { queueLogicalId };
}
