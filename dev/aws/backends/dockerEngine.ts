import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { LocalAwsError } from "../errors.ts";

/** The docker client, its output kept whole for error messages. */
export const run = promisify(execFile);

const READY_TIMEOUT_MS = 120_000;

/** What the Docker client and engine on this machine can do, or what is missing and how to get it. */
export type DockerAvailability = { ok: true } | { ok: false; missing: string };

/** True when a Docker engine answers, not merely when the docker client is installed. */
export async function dockerEngineAvailable(): Promise<boolean> {
  return (await dockerAvailability()).ok;
}

/**
 * Whether the docker client is installed and an engine answers it, and if not, which piece is
 * missing in words that name what to install or start.
 */
export async function dockerAvailability(): Promise<DockerAvailability> {
  try {
    await run("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 5_000 });
    return { ok: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return {
        ok: false,
        missing: "no `docker` command: install Docker Engine (Debian/Ubuntu: `apt-get install docker.io`; or Docker's own docker-ce packages) or Docker Desktop",
      };
    }
    return {
      ok: false,
      missing: "the docker client is installed but no engine answers `docker info`: start it (`systemctl start docker`, or `dockerd` as root, or Docker Desktop)",
    };
  }
}

/**
 * Which Compose this machine has, for people who run a compose file by hand: the docker backend
 * itself needs none. Compose v1 (the Python `docker-compose` 1.x) is end-of-life and rejects
 * files with a top-level `name:`, so it is named as such rather than tried.
 *
 * @example
 * await composeFlavour(); // { kind: "v1", version: "1.29.2" } on Debian 12 with its docker-compose package
 */
export async function composeFlavour(): Promise<{ kind: "plugin" | "standalone" | "v1"; version: string } | { kind: "none" }> {
  const versionOf = async (command: string, args: string[]) => {
    try {
      const { stdout } = await run(command, args, { timeout: 5_000 });
      return /(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
    } catch {
      return undefined;
    }
  };
  const plugin = await versionOf("docker", ["compose", "version", "--short"]);
  if (plugin) return { kind: "plugin", version: plugin };
  const standalone = await versionOf("docker-compose", ["version"]);
  if (!standalone) return { kind: "none" };
  return { kind: standalone.startsWith("1.") ? "v1" : "standalone", version: standalone };
}

/** The words for a Compose v1 found on the machine: what it is, and what to install instead. */
export function composeV1Notice(version: string): string {
  return (
    `docker-compose ${version} is Compose v1, end-of-life since 2023, and cannot read a compose file with a top-level name:. ` +
    "This backend does not need Compose (it runs the containers through the engine); to run the compose file by hand, install Compose v2: " +
    "the docker-compose-plugin package from Docker's apt repository (`docker compose`), or the v2 `docker-compose` binary from github.com/docker/compose/releases"
  );
}

/**
 * Ready means accepting TCP connections as clients connect: `pg_isready` on the socket alone can
 * answer during the official image's first-start initialisation, whose server listens on the
 * socket only.
 */
export async function waitForPostgres(container: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      await run("docker", ["exec", container, "pg_isready", "--host", "127.0.0.1", "--username", "postgres"], { timeout: 5_000 });
      return;
    } catch {
      await exitedOrWait(container);
    }
  }
  throw new LocalAwsError(`Postgres in container ${container} was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${await lastLogLines(container)}`);
}

/** Ready means the URL answers 2xx. */
export async function waitForHttp(container: string, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // Not listening yet.
    }
    await exitedOrWait(container);
  }
  throw new LocalAwsError(`${container} did not answer ${url} within ${READY_TIMEOUT_MS / 1000} s:\n${await lastLogLines(container)}`);
}

/** A container that exited will never become ready: say why at once instead of at the timeout. */
async function exitedOrWait(container: string): Promise<void> {
  const { stdout } = await run("docker", ["inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", container]);
  const [running, exitCode] = stdout.trim().split(" ");
  if (running === "false") throw new LocalAwsError(`${container} exited with code ${exitCode}:\n${await lastLogLines(container)}`);
  await new Promise((resolve) => setTimeout(resolve, 500));
}

async function lastLogLines(container: string): Promise<string> {
  try {
    const { stdout, stderr } = await run("docker", ["logs", "--tail", "20", container]);
    return `${stdout}${stderr}`.trim();
  } catch {
    return "(no logs)";
  }
}
