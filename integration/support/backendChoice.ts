import { dockerEngineAvailable } from "../../dev/aws/index.ts";

export type IntegrationBackend = "docker" | "embedded" | "external";

/**
 * INTEGRATION_BACKEND=docker|embedded|external|auto (default auto): auto takes docker when a
 * container runtime answers, else embedded. Asking for docker where none answers is an error.
 */
export async function integrationBackend(env: NodeJS.ProcessEnv = process.env): Promise<{ backend: IntegrationBackend; reason: string }> {
  const requested = env.INTEGRATION_BACKEND ?? "auto";
  switch (requested) {
    case "docker":
      if (!(await dockerEngineAvailable())) {
        throw new Error("INTEGRATION_BACKEND=docker, but no Docker engine answers `docker info`: start Docker, or use INTEGRATION_BACKEND=embedded");
      }
      return { backend: "docker", reason: "INTEGRATION_BACKEND=docker" };
    case "embedded":
    case "external":
      return { backend: requested, reason: `INTEGRATION_BACKEND=${requested}` };
    case "auto":
      return (await dockerEngineAvailable())
        ? { backend: "docker", reason: "auto: a container runtime answers" }
        : { backend: "embedded", reason: "auto: no container runtime answers" };
    default:
      throw new Error(`INTEGRATION_BACKEND must be docker, embedded, external or auto, got "${requested}"`);
  }
}
