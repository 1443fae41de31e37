import {
  DEFAULT_FAUXQS_IMAGE,
  DEFAULT_LOCALSTACK_IMAGE,
  DEFAULT_POSTGRES_IMAGE,
  dockerBackend,
  dockerEngineAvailable,
  embeddedBackend,
  externalBackend,
  type AwsEmulator,
  type Backend,
  type BackendPorts,
  type EmulatorContainer,
} from "./aws/index.ts";
import { CommandError } from "./commandError.ts";

export const BACKEND_CHOICES = ["auto", "docker", "embedded", "external"] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendSelection {
  backend: Backend;
  /** Why this one, in words for the console: "auto: no Docker engine answers". */
  reason: string;
}

/** What `npm run dev` keeps between runs. */
export interface KeptState {
  /** The embedded backend's folder for Postgres's data and fauxqs's SQLite file. */
  stateDir: string;
  /** Start empty: the caller has emptied stateDir; the docker backend removes its volumes. */
  fresh: boolean;
}

/**
 * ponto's backend settings: `auto` takes Docker (the services of docker-compose.yml, run through
 * the engine) when an engine answers, else the embedded default; PONTO_AWS_EMULATOR picks the AWS
 * emulator and dockerImagesFrom the images, PONTO_AWS_ENDPOINT and
 * PONTO_DATABASE_URL give the external one. With `kept`, the embedded and docker backends keep
 * their data between runs; without it they start empty, as test runs want. `_serviceDir` is
 * unused since the docker backend stopped running docker-compose.yml through Compose; the callers
 * keep passing it.
 */
export async function chooseBackend(
  choice: string,
  ports: BackendPorts,
  _serviceDir: string,
  env: NodeJS.ProcessEnv = process.env,
  kept?: KeptState,
): Promise<BackendSelection> {
  if (!isBackendChoice(choice)) {
    throw new CommandError(`unknown backend "${choice}": use one of ${BACKEND_CHOICES.join(", ")}`);
  }
  const docker = () =>
    dockerBackend({
      // The project name of docker-compose.yml, which COMPOSE_PROJECT_NAME overrides as it does for
      // Compose: its volumes (ponto_postgres-data, …) are these.
      project: env.COMPOSE_PROJECT_NAME || "ponto",
      ...dockerImagesFrom(env),
      ports,
      imageSettings: { postgres: "PONTO_POSTGRES_IMAGE", emulator: "PONTO_AWS_EMULATOR_IMAGE" },
      unpulledHints: {
        localstack: "or run fauxqs instead (PONTO_AWS_EMULATOR=fauxqs)",
        other: "`npm run test:docker` builds stand-ins from Debian's and npm's packages (`docker images 'ponto-standin/*'` lists them)",
      },
      ...(kept !== undefined && { fresh: kept.fresh }),
    });
  const embedded = () => embeddedBackend(ports, kept === undefined ? {} : { stateDir: kept.stateDir });
  switch (choice) {
    case "docker":
      return { backend: docker(), reason: "asked for" };
    case "embedded":
      return { backend: embedded(), reason: "asked for" };
    case "external":
      return { backend: externalBackendFrom(env), reason: "asked for" };
    case "auto":
      return (await dockerEngineAvailable())
        ? { backend: docker(), reason: "auto: a Docker engine answers" }
        : { backend: embedded(), reason: "auto: no Docker engine answers" };
  }
}

/** The external backend from PONTO_AWS_ENDPOINT and PONTO_DATABASE_URL. */
export function externalBackendFrom(env: NodeJS.ProcessEnv = process.env): Backend {
  return externalBackend({
    ...(env.PONTO_AWS_ENDPOINT !== undefined && { awsEndpoint: env.PONTO_AWS_ENDPOINT }),
    ...(env.PONTO_DATABASE_URL !== undefined && { databaseUrl: env.PONTO_DATABASE_URL }),
    settingNames: { awsEndpoint: "PONTO_AWS_ENDPOINT", databaseUrl: "PONTO_DATABASE_URL" },
  });
}

function isBackendChoice(choice: string): choice is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(choice);
}

/**
 * The images of the docker backend, read by docker-compose.yml too: PONTO_POSTGRES_IMAGE, and
 * PONTO_AWS_EMULATOR_IMAGE for the emulator PONTO_AWS_EMULATOR picks (LocalStack's also from
 * LOCALSTACK_IMAGE, the name LocalStack's own docs use), so a private registry mirror can serve them.
 */
export function dockerImagesFrom(env: NodeJS.ProcessEnv = process.env): { emulator: EmulatorContainer; postgresImage: string } {
  const postgresImage = env.PONTO_POSTGRES_IMAGE || DEFAULT_POSTGRES_IMAGE;
  if (awsEmulatorFrom(env) === "fauxqs") {
    return { emulator: { kind: "fauxqs", image: env.PONTO_AWS_EMULATOR_IMAGE || DEFAULT_FAUXQS_IMAGE }, postgresImage };
  }
  const image = env.PONTO_AWS_EMULATOR_IMAGE || env.LOCALSTACK_IMAGE || DEFAULT_LOCALSTACK_IMAGE;
  const authToken = env.LOCALSTACK_AUTH_TOKEN || undefined;
  return { emulator: { kind: "localstack", image, ...(authToken && { authToken }) }, postgresImage };
}

function awsEmulatorFrom(env: NodeJS.ProcessEnv): AwsEmulator {
  const emulator = env.PONTO_AWS_EMULATOR ?? "localstack";
  if (emulator !== "localstack" && emulator !== "fauxqs") {
    throw new CommandError(`PONTO_AWS_EMULATOR must be localstack or fauxqs, got "${emulator}"`);
  }
  return emulator;
}
