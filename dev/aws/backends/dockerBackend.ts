import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { promisify } from "node:util";
import { LocalAwsError } from "../errors.ts";
import { EMULATOR_ACCOUNT, type Backend, type BackendPorts, type StartedBackend } from "./backend.ts";

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

export interface ComposeProject {
  /** The docker-compose.yml with an AWS emulator service per profile and a `postgres` service. */
  composeFile: string;
  /** Which AWS emulator's profile to start. */
  emulator: AwsEmulator;
  ports: BackendPorts;
  /** Variables the compose file reads its host ports from, as the project names them. */
  portVariables: { aws: string; database: string };
  /**
   * Remove the project's named volumes before starting (`down --volumes`), so it starts empty.
   * Otherwise the volumes the compose file names are kept between runs: stop() is a plain `down`.
   */
  fresh?: boolean;
  /** What the console should hear, such as the volumes being removed. */
  onNotice?: (line: string) => void;
}

/**
 * LocalStack (or fauxqs) and Postgres from a compose file, pinned images, started with `--wait`
 * so that start() returns only once their healthchecks pass. The compose file's named volumes
 * outlive a stop, so a second start continues with the same data; `fresh` removes them first.
 *
 * @example
 * dockerBackend({ composeFile: "docker-compose.yml", emulator: "localstack", ports: { aws: 4566, database: 5433 },
 *   portVariables: { aws: "AWS_PORT", database: "DATABASE_PORT" } });
 */
export function dockerBackend({ composeFile, emulator, ports, portVariables, fresh = false, onNotice = console.log }: ComposeProject): Backend {
  const projectDir = dirname(resolve(composeFile));
  const compose = (...args: string[]) =>
    run("docker", ["compose", "--file", resolve(composeFile), "--profile", emulator, ...args], {
      cwd: projectDir,
      env: { ...process.env, [portVariables.aws]: String(ports.aws), [portVariables.database]: String(ports.database) },
      maxBuffer: 16 * 1024 * 1024,
    });

  return {
    name: "docker",
    description: `docker compose: ${emulator} on :${ports.aws}, postgres on :${ports.database}`,
    async start(): Promise<StartedBackend> {
      if (!(await dockerEngineAvailable())) {
        throw new LocalAwsError(
          "the docker backend needs a running Docker engine, and none answers `docker info`; " +
            "start Docker, or use the embedded backend",
        );
      }
      if (fresh) {
        await compose("down", "--volumes");
        onNotice("state: --fresh, removed the compose project's volumes");
      }
      try {
        await compose("up", "--detach", "--wait", "--wait-timeout", "120");
      } catch (error) {
        // The volumes stay: a failed start is no reason to lose the data of earlier runs.
        await compose("down").catch(() => {});
        const { stderr = "" } = error as { stderr?: string };
        throw new LocalAwsError(`docker compose up failed:\n${stderr}`);
      }
      return {
        name: "docker",
        awsEndpoint: `http://127.0.0.1:${ports.aws}`,
        ...EMULATOR_ACCOUNT,
        database: { host: "127.0.0.1", port: ports.database, database: "postgres", user: "postgres", password: "postgres" },
        databaseServer: {
          stop: async () => void (await compose("stop", "postgres")),
          start: async () => void (await compose("start", "postgres")),
        },
        async stop() {
          await compose("down");
        },
      };
    },
  };
}
