/**
 * The local AWS: runs any serverless.yml from the CloudFormation its framework compiles (API
 * Gateway, Lambda, SQS event sources, S3 buckets) on a started backend (backends/index.ts) that
 * serves SQS, S3 and Postgres. This is the stack's API; see README.md in this folder.
 */
export { startLocalAws } from "./stack/startLocalAws.ts";
export type { ConfigChange, LocalAws, LocalAwsOptions, PreparedFunction } from "./stack/localAws.ts";
export type { LocalStatus, QueueStatus } from "./console/localStatus.ts";
export type { FunctionStats } from "./lambda/functionRuntime.ts";
export type { EventSourceStats } from "./lambda/eventSourceMapping/eventSourceRunner.ts";
export { LocalAwsError } from "./errors.ts";

// A service as the stack reads it: the template the framework compiles, and what runs of it.
export { packageService, type PackagedService } from "./cloudformation/packageService.ts";
export { packageServiceCached } from "./cloudformation/packageCache.ts";
export { readServiceModel, type ServiceModel } from "./cloudformation/serviceModel.ts";

// What tools do with a running stack's queues: fill them, read their depth, redrive a DLQ.
export { enqueueBodies } from "./sqs/enqueueBodies.ts";
export { queueDepth, type QueueDepth } from "./sqs/queueDepth.ts";
export { redriveDeadLetters } from "./sqs/redriveDeadLetters.ts";
export type { ProvisionedQueue } from "./sqs/provisionQueues.ts";
