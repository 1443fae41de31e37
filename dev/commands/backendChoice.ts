import {
  DEFAULT_FAUXQS_IMAGE,
  DEFAULT_LOCALSTACK_IMAGE,
  DEFAULT_POSTGRES_IMAGE,
  dockerBackend,
  dockerAvailability,
  dockerEngineAvailable,
  embeddedBackend,
  externalBackend,
  type AwsEmulator,
  type Backend,
  type BackendName,
  type BackendPorts,
  type EmulatorContainer,
} from "../aws/backends/index.ts";
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
 * Which backend a choice means, the one rule `npm run dev` (`--backend`, PONTO_BACKEND) and the
 * integration suites (INTEGRATION_BACKEND) share: `auto` takes docker when a Docker engine
 * answers, else embedded; asking for docker where none answers fails here, naming what is missing.
 * `setting` names where the choice came from, for the error.
 */
export async function pickBackend(choice: string, setting: string): Promise<{ name: BackendName; reason: string }> {
  if (!isBackendChoice(choice)) {
    throw new CommandError(`unknown backend "${choice}" (${setting}): use one of ${BACKEND_CHOICES.join(", ")}`);
  }
  if (choice === "docker") {
    const availability = await dockerAvailability();
    if (!availability.ok) throw new CommandError(`${setting} asks for docker, but ${availability.missing}; or use the embedded backend`);
  }
  if (choice !== "auto") return { name: choice, reason: `asked for (${setting})` };
  return (await dockerEngineAvailable())
    ? { name: "docker", reason: "auto: a Docker engine answers" }
    : { name: "embedded", reason: "auto: no Docker engine answers" };
}

/**
 * ponto's backend, built from the choice (see pickBackend): docker runs the services of
 * docker-compose.yml through the engine; PONTO_AWS_EMULATOR picks the AWS emulator and
 * dockerImagesFrom the images; PONTO_AWS_ENDPOINT and PONTO_DATABASE_URL give the external one.
 * With `kept`, the embedded and docker backends keep their data between runs; without it they
 * start empty, as test runs want.
 */
export async function chooseBackend(
  choice: string,
  setting: string,
  ports: BackendPorts,
  env: NodeJS.ProcessEnv = process.env,
  kept?: KeptState,
): Promise<BackendSelection> {
  const { name, reason } = await pickBackend(choice, setting);
  switch (name) {
    case "docker":
      return {
        reason,
        backend: dockerBackend({
          // The project name of docker-compose.yml, which COMPOSE_PROJECT_NAME overrides as it does
          // for Compose: its volumes (ponto_postgres-data, …) are these.
          project: env.COMPOSE_PROJECT_NAME || "ponto",
          ...dockerImagesFrom(env),
          ports,
          imageSettings: { postgres: "PONTO_POSTGRES_IMAGE", emulator: "PONTO_AWS_EMULATOR_IMAGE" },
          unpulledHints: {
            localstack: "or run fauxqs instead (PONTO_AWS_EMULATOR=fauxqs)",
            other: "`npm run test:docker` builds stand-ins from Debian's and npm's packages (`docker images 'ponto-standin/*'` lists them)",
          },
          ...(kept !== undefined && { fresh: kept.fresh }),
        }),
      };
    case "embedded":
      return { reason, backend: embeddedBackend(ports, kept === undefined ? {} : { stateDir: kept.stateDir }) };
    case "external":
      return { reason, backend: externalBackendFrom(env) };
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
