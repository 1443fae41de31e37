import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { LocalAwsError } from "../errors.ts";
import type { Backend, BackendPorts, StartedBackend } from "./backend.ts";

const run = promisify(execFile);

export type AwsEmulator = "localstack" | "fauxqs";

/** True when a Docker engine answers, not merely when the docker client is installed. */
export async function dockerEngineAvailable(): Promise<boolean> {
  try {
    await run("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * LocalStack (or fauxqs) and Postgres from docker-compose.yml, pinned images, started with
 * `--wait` so that start() returns only once their healthchecks pass.
 */
export function dockerBackend(ports: BackendPorts, emulator: AwsEmulator, serviceDir: string): Backend {
  const compose = (...args: string[]) =>
    run("docker", ["compose", "--file", resolve(serviceDir, "docker-compose.yml"), "--profile", emulator, ...args], {
      cwd: serviceDir,
      env: { ...process.env, PONTO_AWS_PORT: String(ports.aws), PONTO_DATABASE_PORT: String(ports.database) },
      maxBuffer: 16 * 1024 * 1024,
    });

  return {
    name: "docker",
    description: `docker compose: ${emulator} on :${ports.aws}, postgres on :${ports.database}`,
    async start(): Promise<StartedBackend> {
      if (!(await dockerEngineAvailable())) {
        throw new LocalAwsError(
          "the docker backend needs a running Docker engine, and none answers `docker info`; " +
            "start Docker, or use PONTO_BACKEND=embedded",
        );
      }
      try {
        await compose("up", "--detach", "--wait", "--wait-timeout", "120");
      } catch (error) {
        await compose("down", "--volumes").catch(() => {});
        const { stderr = "" } = error as { stderr?: string };
        throw new LocalAwsError(`docker compose up failed:\n${stderr}`);
      }
      return {
        name: "docker",
        awsEndpoint: `http://127.0.0.1:${ports.aws}`,
        database: { host: "127.0.0.1", port: ports.database, database: "postgres", user: "postgres", password: "postgres" },
        databaseServer: {
          stop: async () => void (await compose("stop", "postgres")),
          start: async () => void (await compose("start", "postgres")),
        },
        async stop() {
          await compose("down", "--volumes");
        },
      };
    },
  };
}
