import type { TestProject } from "vitest/node";
import { integrationBackend, type IntegrationBackend } from "./support/backendChoice.ts";
import { startSharedContainers, type DockerEndpoints } from "../dev/aws/index.ts";
import { dockerImagesFrom } from "../dev/backendChoice.ts";

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
 * the shared containers before any suite and stops them after the last. Their images come from
 * the settings `npm run dev` and docker-compose.yml read (PONTO_AWS_EMULATOR, PONTO_AWS_EMULATOR_IMAGE,
 * PONTO_POSTGRES_IMAGE, LOCALSTACK_IMAGE).
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const { backend, reason } = await integrationBackend();
  console.log(`integration backend: ${backend} (${reason})`);
  project.provide("integrationBackend", backend);
  project.provide("integrationBackendReason", reason);
  project.provide("dockerEndpoints", null);
  if (backend !== "docker") return undefined;

  const images = dockerImagesFrom();
  console.log(`docker images: ${images.emulator.kind} ${images.emulator.image}, postgres ${images.postgresImage}`);
  const containers = await startSharedContainers(images);
  project.provide("dockerEndpoints", containers.endpoints);
  return () => containers.stop();
}
