import { dockerBackend, dockerEngineAvailable, embeddedBackend, externalBackend, type AwsEmulator, type Backend, type BackendPorts } from "./aws/index.ts";
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
 * ponto's backend settings: `auto` takes Docker (docker-compose.yml) when an engine answers,
 * else the embedded default; PONTO_AWS_EMULATOR picks the compose profile, PONTO_AWS_ENDPOINT and
 * PONTO_DATABASE_URL give the external one. With `kept`, the embedded and docker backends keep
 * their data between runs; without it they start empty, as test runs want.
 */
export async function chooseBackend(
  choice: string,
  ports: BackendPorts,
  serviceDir: string,
  env: NodeJS.ProcessEnv = process.env,
  kept?: KeptState,
): Promise<BackendSelection> {
  if (!isBackendChoice(choice)) {
    throw new CommandError(`unknown backend "${choice}": use one of ${BACKEND_CHOICES.join(", ")}`);
  }
  const docker = () =>
    dockerBackend({
      composeFile: `${serviceDir}/docker-compose.yml`,
      emulator: awsEmulatorFrom(env),
      ports,
      portVariables: { aws: "PONTO_AWS_PORT", database: "PONTO_DATABASE_PORT" },
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

function awsEmulatorFrom(env: NodeJS.ProcessEnv): AwsEmulator {
  const emulator = env.PONTO_AWS_EMULATOR ?? "localstack";
  if (emulator !== "localstack" && emulator !== "fauxqs") {
    throw new CommandError(`PONTO_AWS_EMULATOR must be localstack or fauxqs, got "${emulator}"`);
  }
  return emulator;
}
