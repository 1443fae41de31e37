import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { LocalstackContainer } from "@testcontainers/localstack";
import { PostgreSqlContainer, type StartedPostgreSqlContainer } from "@testcontainers/postgresql";
import { GenericContainer, Wait, type StartedTestContainer } from "testcontainers";
import { freePort } from "./freePort.ts";
import { addressedByIp, EMULATOR_ACCOUNT, type DatabaseServer, type StartedBackend } from "./backend.ts";
import { checkLocalstackImage, type EmulatorContainer } from "./dockerBackend.ts";
import { waitForPostgres } from "./dockerEngine.ts";

const run = promisify(execFile);

/** The port both emulators serve SQS and S3 on inside their containers. */
const EMULATOR_PORT = 4566;

/** What the shared containers run: images come from the caller, so a private registry mirror can serve them. */
export interface SharedContainerOptions {
  emulator: EmulatorContainer;
  postgresImage: string;
}

/** What the shared containers serve; plain data, so a test runner can hand it to its workers. */
export interface DockerEndpoints {
  awsEndpoint: string;
  database: DatabaseServer;
  /** The image a suite's own Postgres runs, the same as the shared one's. */
  postgresImage: string;
}

/**
 * The AWS emulator (LocalStack or fauxqs) and Postgres, started once for the whole run by the
 * global setup and shared by the suites (each suite isolates itself by stage). Each waits on
 * readiness: LocalStack's "Ready" log line, fauxqs's /health, Postgres's healthcheck. If the second
 * fails the first is stopped; testcontainers' reaper, where it runs, removes both should the run die.
 *
 * @example
 * const containers = await startSharedContainers({ emulator: { kind: "fauxqs", image: DEFAULT_FAUXQS_IMAGE }, postgresImage: DEFAULT_POSTGRES_IMAGE });
 * // … containers.endpoints.awsEndpoint, containers.endpoints.database …
 * await containers.stop();
 */
export async function startSharedContainers({ emulator, postgresImage }: SharedContainerOptions): Promise<{ endpoints: DockerEndpoints; stop(): Promise<void> }> {
  const aws = await startEmulator(emulator);
  let postgres: StartedPostgreSqlContainer;
  try {
    postgres = await startPostgres(postgresImage);
  } catch (error) {
    await aws.container.stop();
    throw error;
  }
  return {
    endpoints: { awsEndpoint: aws.endpoint, database: databaseOf(postgres), postgresImage },
    async stop() {
      await Promise.allSettled([aws.container.stop(), postgres.stop()]);
    },
  };
}

async function startEmulator(emulator: EmulatorContainer): Promise<{ container: StartedTestContainer; endpoint: string }> {
  if (emulator.kind === "localstack") {
    checkLocalstackImage(emulator.image, emulator.authToken);
    // As the docker backend of `npm run dev` runs it: a host port of its own, which queue URLs name
    // through LOCALSTACK_HOST (testcontainers would set "localhost", so URLs would name 4566).
    const hostPort = await freePort();
    const container = await new LocalstackContainer(emulator.image)
      .withExposedPorts({ container: EMULATOR_PORT, host: hostPort })
      .withEnvironment({
        SERVICES: "sqs,s3",
        LOCALSTACK_HOST: `localhost.localstack.cloud:${hostPort}`,
        ...(emulator.authToken && { LOCALSTACK_AUTH_TOKEN: emulator.authToken }),
      })
      .start();
    return { container, endpoint: addressedByIp(container.getConnectionUri()) };
  }
  const container = await new GenericContainer(emulator.image)
    .withExposedPorts(EMULATOR_PORT)
    // In memory: a test run wants empty queues, and the official image persists only with a volume anyway.
    // Queue URLs in LocalStack's default style (sqs.<region>.localhost.localstack.cloud:<port>) on a
    // host port other than 4566, as LocalStack's would be: the suites then prove that nothing dials a
    // queue URL's host, which offline does not even resolve.
    .withEnvironment({ FAUXQS_PERSISTENCE: "false", FAUXQS_LOGGER: "false", FAUXQS_HOST: "localhost.localstack.cloud" })
    .withWaitStrategy(Wait.forHttp("/health", EMULATOR_PORT).forStatusCode(200))
    .withStartupTimeout(60_000)
    .start();
  return { container, endpoint: addressedByIp(`http://${container.getHost()}:${container.getMappedPort(EMULATOR_PORT)}`) };
}

/** A Postgres of one suite's own, for suites that stop and start their database. */
export async function startOwnPostgres(endpoints: DockerEndpoints): Promise<StartedBackend> {
  const postgres = await startPostgres(endpoints.postgresImage);
  return dockerBackendOf(endpoints.awsEndpoint, databaseOf(postgres), postgres, () => postgres.stop().then(() => undefined));
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

async function startPostgres(image: string): Promise<StartedPostgreSqlContainer> {
  // A fixed host port: `docker start` after `docker stop` would otherwise map another one.
  return new PostgreSqlContainer(image)
    .withUsername("postgres")
    .withPassword("postgres")
    .withDatabase("postgres")
    .withExposedPorts({ container: 5432, host: await freePort() })
    .start();
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
