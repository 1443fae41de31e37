import { dockerAvailability, dockerEngineAvailable } from "../../dev/aws/index.ts";

export type IntegrationBackend = "docker" | "embedded" | "external";

/**
 * INTEGRATION_BACKEND=docker|embedded|external|auto (default auto): auto takes docker when a
 * container runtime answers, else embedded. Asking for docker where none answers is an error.
 */
export async function integrationBackend(env: NodeJS.ProcessEnv = process.env): Promise<{ backend: IntegrationBackend; reason: string }> {
  const requested = env.INTEGRATION_BACKEND ?? "auto";
  switch (requested) {
    case "docker": {
      const availability = await dockerAvailability();
      if (!availability.ok) {
        throw new Error(`INTEGRATION_BACKEND=docker, but ${availability.missing}; or use INTEGRATION_BACKEND=embedded (npm run test:docker starts an engine itself as root on Debian)`);
      }
      return { backend: "docker", reason: "INTEGRATION_BACKEND=docker" };
    }
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
