/**
 * The local AWS: runs any serverless.yml from the CloudFormation its framework compiles (API
 * Gateway, Lambda, SQS event sources, S3 buckets) on a backend that serves SQS, S3 and Postgres.
 * Everything a caller needs comes from here; see README.md in this folder.
 */
export { startLocalAws, type LocalAws, type LocalAwsOptions, type PreparedFunction } from "./localAws.ts";
export type { LocalStatus, QueueStatus } from "./localStatus.ts";
export { LocalAwsError } from "./errors.ts";

export {
  addressedByIp,
  EMULATOR_ACCOUNT,
  type AwsCredentials,
  type Backend,
  type BackendName,
  type BackendPorts,
  type DatabaseServer,
  type StartedBackend,
} from "./backends/backend.ts";
export {
  checkLocalstackImage,
  composeFlavour,
  composeV1Notice,
  DEFAULT_FAUXQS_IMAGE,
  DEFAULT_LOCALSTACK_IMAGE,
  DEFAULT_POSTGRES_IMAGE,
  dockerAvailability,
  dockerBackend,
  dockerEngineAvailable,
  type AwsEmulator,
  type DockerAvailability,
  type DockerProject,
  type EmulatorContainer,
} from "./backends/dockerBackend.ts";
export { embeddedBackend } from "./backends/embeddedBackend.ts";
export { externalBackend, type ExternalEndpoints } from "./backends/externalBackend.ts";
export { startFauxqsThread } from "./backends/fauxqsThread.ts";
export { freePort } from "./backends/freePort.ts";
export type { DockerEndpoints, SharedContainerOptions } from "./backends/testcontainers.ts";

export { packageService, type PackagedService } from "./cloudformation/packageService.ts";
export { readServiceModel, type ServiceModel } from "./cloudformation/serviceModel.ts";
export type { FunctionStats } from "./lambda/functionRuntime.ts";
export type { EventSourceStats } from "./lambda/eventSourceRunner.ts";

export { enqueueBodies } from "./sqs/enqueueBodies.ts";
export { queueDepth, type QueueDepth } from "./sqs/queueDepth.ts";
export { redriveDeadLetters } from "./sqs/redriveDeadLetters.ts";
export type { ProvisionedQueue } from "./sqs/provisionQueues.ts";

// testcontainers is heavy and only a test run's docker variant needs it: loaded on first use.
type Testcontainers = typeof import("./backends/testcontainers.ts");
const testcontainers = (): Promise<Testcontainers> => import("./backends/testcontainers.ts");

/** The AWS emulator (LocalStack or fauxqs) and Postgres containers for a whole test run; see backends/testcontainers.ts. */
export const startSharedContainers: Testcontainers["startSharedContainers"] = async (options) => (await testcontainers()).startSharedContainers(options);
/** A Postgres container of one suite's own beside the shared AWS emulator, for suites that stop it. */
export const startOwnPostgres: Testcontainers["startOwnPostgres"] = async (endpoints) => (await testcontainers()).startOwnPostgres(endpoints);
/** The shared containers as a backend whose stop() leaves them running. */
export const sharedDockerBackend = async (endpoints: import("./backends/testcontainers.ts").DockerEndpoints) =>
  (await testcontainers()).sharedDockerBackend(endpoints);
