import type { TestProject } from "vitest/node";
import { integrationBackend, type IntegrationBackend } from "./support/backendChoice.ts";
import { startSharedContainers, type DockerEndpoints } from "../dev/aws/index.ts";

declare module "vitest" {
  export interface ProvidedContext {
    integrationBackend: IntegrationBackend;
    /** Why this backend: printed, and the name a skipped docker variant carries. */
    integrationBackendReason: string;
    dockerEndpoints: DockerEndpoints | null;
  }
}

/**
 * Chooses the backend once per run (INTEGRATION_BACKEND, default auto) and, for docker, starts
 * the shared containers before any suite and stops them after the last.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const { backend, reason } = await integrationBackend();
  console.log(`integration backend: ${backend} (${reason})`);
  project.provide("integrationBackend", backend);
  project.provide("integrationBackendReason", reason);
  project.provide("dockerEndpoints", null);
  if (backend !== "docker") return undefined;

  const containers = await startSharedContainers();
  project.provide("dockerEndpoints", containers.endpoints);
  return () => containers.stop();
}
