import type { TestProject } from "vitest/node";
import { startSharedContainers, type BackendName, type DockerEndpoints } from "../dev/aws/backends/index.ts";
import { dockerImagesFrom, pickBackend } from "../dev/commands/backendChoice.ts";

declare module "vitest" {
  export interface ProvidedContext {
    integrationBackend: BackendName;
    /** Why this backend: printed, and the name a skipped docker variant carries. */
    integrationBackendReason: string;
    dockerEndpoints: DockerEndpoints | null;
  }
}

/**
 * Chooses the backend once per run (INTEGRATION_BACKEND, default auto, by the rule `npm run dev`
 * applies to --backend) and, for docker, starts the shared containers before any suite and stops
 * them after the last. Their images come from the settings `npm run dev` and docker-compose.yml
 * read (PONTO_AWS_EMULATOR, PONTO_AWS_EMULATOR_IMAGE, PONTO_POSTGRES_IMAGE, LOCALSTACK_IMAGE).
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const { name: backend, reason } = await pickBackend(process.env.INTEGRATION_BACKEND ?? "auto", "INTEGRATION_BACKEND");
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
