import { LocalAwsError } from "./aws/errors.ts";
import type { Backend, BackendPorts } from "./aws/backends/backend.ts";
import { dockerBackend, dockerEngineAvailable, type AwsEmulator } from "./aws/backends/dockerBackend.ts";
import { embeddedBackend } from "./aws/backends/embeddedBackend.ts";
import { externalBackend } from "./aws/backends/externalBackend.ts";

export const BACKEND_CHOICES = ["auto", "docker", "embedded", "external"] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendSelection {
  backend: Backend;
  /** Why this one, in words for the console: "auto: no Docker engine answers". */
  reason: string;
}

/** `auto` takes Docker when an engine answers, else the embedded default. */
export async function chooseBackend(
  choice: string,
  ports: BackendPorts,
  serviceDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BackendSelection> {
  if (!isBackendChoice(choice)) {
    throw new LocalAwsError(`unknown backend "${choice}": use one of ${BACKEND_CHOICES.join(", ")}`);
  }
  const emulator = awsEmulatorFrom(env);
  switch (choice) {
    case "docker":
      return { backend: dockerBackend(ports, emulator, serviceDir), reason: "asked for" };
    case "embedded":
      return { backend: embeddedBackend(ports), reason: "asked for" };
    case "external":
      return { backend: externalBackend(env), reason: "asked for" };
    case "auto":
      return (await dockerEngineAvailable())
        ? { backend: dockerBackend(ports, emulator, serviceDir), reason: "auto: a Docker engine answers" }
        : { backend: embeddedBackend(ports), reason: "auto: no Docker engine answers" };
  }
}

function isBackendChoice(choice: string): choice is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(choice);
}

function awsEmulatorFrom(env: NodeJS.ProcessEnv): AwsEmulator {
  const emulator = env.PONTO_AWS_EMULATOR ?? "localstack";
  if (emulator !== "localstack" && emulator !== "fauxqs") {
    throw new LocalAwsError(`PONTO_AWS_EMULATOR must be localstack or fauxqs, got "${emulator}"`);
  }
  return emulator;
}
