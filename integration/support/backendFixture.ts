import { describe, inject } from "vitest";
import { embeddedBackend, freePort, sharedDockerBackend, startOwnPostgres, type StartedBackend } from "../../dev/aws/backends/index.ts";
import { externalBackendFrom } from "../../dev/commands/backendChoice.ts";

/**
 * The backend for one suite: embedded ones are cheap and start per suite; docker ones share the
 * run's containers. `ownDatabase` gives a suite a database server nobody else uses, for
 * scenarios that stop it.
 */
export async function startIntegrationBackend({ ownDatabase = false } = {}): Promise<StartedBackend> {
  switch (inject("integrationBackend")) {
    case "embedded":
      return startEmbeddedOnFreePorts();
    case "external":
      return externalBackendFrom().start();
    case "docker": {
      const endpoints = inject("dockerEndpoints");
      if (!endpoints) throw new Error("the docker backend was chosen but the global setup started no containers");
      return ownDatabase ? startOwnPostgres(endpoints) : sharedDockerBackend(endpoints);
    }
  }
}

/**
 * An embedded backend on ports free when picked. Postgres binds its port seconds later (after
 * initdb), and with the other files' stacks starting beside it the port can be taken by then: a
 * start refused so is tried again on new ports, twice at most, instead of failing the suite.
 */
async function startEmbeddedOnFreePorts(attemptsLeft = 3): Promise<StartedBackend> {
  try {
    return await embeddedBackend({ aws: await freePort(), database: await freePort() }).start();
  } catch (error) {
    const portTaken = /Address already in use|EADDRINUSE/.test(`${(error as Error).message}`);
    if (!portTaken || attemptsLeft <= 1) throw error;
    return startEmbeddedOnFreePorts(attemptsLeft - 1);
  }
}

/**
 * The backend's database server, for the scenarios that stop it; on a backend that cannot stop
 * its database (external) the scenario is skipped, saying why, instead of failing.
 */
export function databaseServerOf(backend: StartedBackend, skip: (note?: string) => never): NonNullable<StartedBackend["databaseServer"]> {
  if (!backend.databaseServer) skip(`the ${backend.name} backend cannot stop its database; this scenario needs one that can`);
  return backend.databaseServer;
}

/**
 * `describe` with the backend in its name. When auto fell back to embedded, the docker variant
 * is registered too, as skipped, so a run without Docker says so instead of passing silently.
 */
export function describeOnBackend(name: string, suite: () => void): void {
  const backend = inject("integrationBackend");
  describe(`${name} [${backend}]`, suite);
  if (backend !== "docker") {
    describe.skip(`${name} [docker: skipped, ${inject("integrationBackendReason")}]`, suite);
  }
}
