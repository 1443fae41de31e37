import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { LocalstackContainer } from "@testcontainers/localstack";
import { PostgreSqlContainer, type StartedPostgreSqlContainer } from "@testcontainers/postgresql";
import { freePort } from "./freePort.ts";
import { addressedByIp, EMULATOR_ACCOUNT, type DatabaseServer, type StartedBackend } from "./backend.ts";

const run = promisify(execFile);

/** The last LocalStack image that runs without an account; newer tags need LOCALSTACK_AUTH_TOKEN. */
const DEFAULT_LOCALSTACK_IMAGE = "localstack/localstack:4.14.0";
const POSTGRES_IMAGE = "postgres:18.4-alpine";

/** What the shared containers serve; plain data, so a test runner can hand it to its workers. */
export interface DockerEndpoints {
  awsEndpoint: string;
  database: DatabaseServer;
}

/** The LocalStack image to run, refusing a newer tag without the token it needs. */
function localstackImage(env: NodeJS.ProcessEnv = process.env): string {
  const image = env.LOCALSTACK_IMAGE ?? DEFAULT_LOCALSTACK_IMAGE;
  if (image !== DEFAULT_LOCALSTACK_IMAGE && !env.LOCALSTACK_AUTH_TOKEN) {
    throw new Error(
      `LOCALSTACK_IMAGE=${image} needs LOCALSTACK_AUTH_TOKEN: LocalStack images after 4.14.0 refuse to start without an account. ` +
        `Set the token, or unset LOCALSTACK_IMAGE to use ${DEFAULT_LOCALSTACK_IMAGE}.`,
    );
  }
  return image;
}

/**
 * LocalStack (SQS, S3) and Postgres, started once for the whole run by the global setup and
 * shared by the suites (each suite isolates itself by stage). Both wait on readiness: LocalStack's
 * "Ready" log line, Postgres's own wait strategy. If the second fails the first is stopped, and
 * testcontainers' reaper removes both should the run die.
 */
export async function startSharedContainers(): Promise<{ endpoints: DockerEndpoints; stop(): Promise<void> }> {
  const token = process.env.LOCALSTACK_AUTH_TOKEN;
  const localstack = await new LocalstackContainer(localstackImage())
    .withEnvironment({ SERVICES: "sqs,s3", ...(token && { LOCALSTACK_AUTH_TOKEN: token }) })
    .start();
  let postgres: StartedPostgreSqlContainer;
  try {
    postgres = await startPostgres();
  } catch (error) {
    await localstack.stop();
    throw error;
  }
  return {
    endpoints: { awsEndpoint: addressedByIp(localstack.getConnectionUri()), database: databaseOf(postgres) },
    async stop() {
      await Promise.allSettled([localstack.stop(), postgres.stop()]);
    },
  };
}

/** A Postgres of one suite's own, for suites that stop and start their database. */
export async function startOwnPostgres(awsEndpoint: string): Promise<StartedBackend> {
  const postgres = await startPostgres();
  return dockerBackendOf(awsEndpoint, databaseOf(postgres), postgres, () => postgres.stop().then(() => undefined));
}

/** The shared containers as a backend; stopping it is the global teardown's job, not a suite's. */
export function sharedDockerBackend(endpoints: DockerEndpoints): StartedBackend {
  return dockerBackendOf(endpoints.awsEndpoint, endpoints.database, undefined, async () => {});
}

function dockerBackendOf(
  awsEndpoint: string,
  database: DatabaseServer,
  ownPostgres: StartedPostgreSqlContainer | undefined,
  stop: () => Promise<void>,
): StartedBackend {
  return {
    name: "docker",
    awsEndpoint,
    ...EMULATOR_ACCOUNT,
    database,
    ...(ownPostgres && {
      // docker stop/start keeps the container and its fixed host port, so clients reconnect.
      databaseServer: {
        stop: async () => void (await run("docker", ["stop", ownPostgres.getId()])),
        start: async () => {
          await run("docker", ["start", ownPostgres.getId()]);
          await waitForPostgres(ownPostgres.getId());
        },
      },
    }),
    stop,
  };
}

async function startPostgres(): Promise<StartedPostgreSqlContainer> {
  // A fixed host port: `docker start` after `docker stop` would otherwise map another one.
  return new PostgreSqlContainer(POSTGRES_IMAGE)
    .withUsername("postgres")
    .withPassword("postgres")
    .withDatabase("postgres")
    .withExposedPorts({ container: 5432, host: await freePort() })
    .start();
}

async function waitForPostgres(containerId: string): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt += 1) {
    try {
      await run("docker", ["exec", containerId, "pg_isready", "-U", "postgres"]);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error(`Postgres in container ${containerId} did not come back within 30 s`);
}

function databaseOf(postgres: StartedPostgreSqlContainer): DatabaseServer {
  return {
    host: postgres.getHost(),
    port: postgres.getPort(),
    user: postgres.getUsername(),
    password: postgres.getPassword(),
    database: postgres.getDatabase(),
  };
}
