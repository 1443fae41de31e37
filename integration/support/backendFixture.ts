import type { StartedBackend } from "../../dev/backends/backend.ts";
import { dockerEngineAvailable } from "../../dev/backends/dockerBackend.ts";
import { embeddedBackend } from "../../dev/backends/embeddedBackend.ts";
import { externalBackend } from "../../dev/backends/externalBackend.ts";
import { freePort } from "../../dev/ports.ts";

export type IntegrationBackend = "docker" | "embedded" | "external";

/**
 * INTEGRATION_BACKEND=docker|embedded|external|auto (default auto): which infrastructure the
 * suites run on. auto takes docker when a container runtime answers, else embedded.
 */
export async function integrationBackend(env: NodeJS.ProcessEnv = process.env): Promise<IntegrationBackend> {
  const requested = env.INTEGRATION_BACKEND ?? "auto";
  switch (requested) {
    case "docker":
    case "embedded":
    case "external":
      return requested;
    case "auto":
      return (await dockerEngineAvailable()) ? "docker" : "embedded";
    default:
      throw new Error(`INTEGRATION_BACKEND must be docker, embedded, external or auto, got "${requested}"`);
  }
}

/** Starts the chosen backend for one suite, on ports nobody else holds. */
export async function startIntegrationBackend(): Promise<StartedBackend> {
  const backend = await integrationBackend();
  switch (backend) {
    case "embedded":
      return embeddedBackend({ aws: await freePort(), database: await freePort() }).start();
    case "external":
      return externalBackend().start();
    case "docker":
      throw new Error(
        "INTEGRATION_BACKEND=docker needs a Docker engine and none answers `docker info`; use embedded, or start Docker",
      );
  }
}
