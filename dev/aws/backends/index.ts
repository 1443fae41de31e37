/**
 * The backends: what serves SQS, S3 and Postgres under a local stack. Each is a Backend whose
 * start() returns a StartedBackend (its endpoints, credentials and stop()); startLocalAws takes
 * any of them. See README.md beside dev/aws/index.ts.
 */
export {
  EMULATOR_ACCOUNT,
  type AwsCredentials,
  type Backend,
  type BackendName,
  type BackendPorts,
  type DatabaseServer,
  type StartedBackend,
} from "./backend.ts";
export {
  DEFAULT_FAUXQS_IMAGE,
  DEFAULT_LOCALSTACK_IMAGE,
  DEFAULT_POSTGRES_IMAGE,
  dockerBackend,
  type AwsEmulator,
  type EmulatorContainer,
} from "./dockerBackend.ts";
export { dockerAvailability, dockerEngineAvailable } from "./dockerEngine.ts";
export { embeddedBackend } from "./embeddedBackend.ts";
export { externalBackend } from "./externalBackend.ts";
export { startFauxqsThread } from "./fauxqsThread.ts";
export { freePort } from "./freePort.ts";
export type { DockerEndpoints } from "./testcontainers.ts";

// testcontainers is heavy and only a test run's docker variant needs it: loaded on first use.
type Testcontainers = typeof import("./testcontainers.ts");
const testcontainers = (): Promise<Testcontainers> => import("./testcontainers.ts");

/** The AWS emulator (LocalStack or fauxqs) and Postgres containers for a whole test run; see testcontainers.ts. */
export const startSharedContainers: Testcontainers["startSharedContainers"] = async (options) => (await testcontainers()).startSharedContainers(options);
/** A Postgres container of one suite's own beside the shared AWS emulator, for suites that stop it. */
export const startOwnPostgres: Testcontainers["startOwnPostgres"] = async (endpoints) => (await testcontainers()).startOwnPostgres(endpoints);
/** The shared containers as a backend whose stop() leaves them running. */
export const sharedDockerBackend = async (endpoints: import("./testcontainers.ts").DockerEndpoints) => (await testcontainers()).sharedDockerBackend(endpoints);
