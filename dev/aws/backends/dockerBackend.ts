import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { LocalAwsError } from "../errors.ts";
import { EMULATOR_ACCOUNT, type Backend, type BackendPorts, type StartedBackend } from "./backend.ts";

const run = promisify(execFile);

export type AwsEmulator = "localstack" | "fauxqs";

/** The last LocalStack image that runs without an account; newer tags need LOCALSTACK_AUTH_TOKEN. */
export const DEFAULT_LOCALSTACK_IMAGE = "localstack/localstack:4.14.0";
export const DEFAULT_FAUXQS_IMAGE = "kibertoad/fauxqs:2.4.1";
export const DEFAULT_POSTGRES_IMAGE = "postgres:18.4-alpine";

/** The AWS emulator to run and its image: a mirror's copy or a stand-in is as good as the official one. */
export type EmulatorContainer = { kind: "localstack"; image: string; authToken?: string } | { kind: "fauxqs"; image: string };

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

export interface DockerProject {
  /**
   * Names the containers (`<project>-postgres`, `<project>-fauxqs`) and the named volumes, which
   * are called as Compose calls a project's volumes (`<project>_postgres-data`,
   * `<project>_fauxqs-data`), so a compose file of the same project name shares their data.
   */
  project: string;
  emulator: EmulatorContainer;
  postgresImage: string;
  ports: BackendPorts;
  /** The settings the images come from, as the project names them, for the message when one cannot be pulled. */
  imageSettings?: { postgres: string; emulator: string };
  /** What the caller offers when an image cannot be pulled: another emulator instead of LocalStack, stand-in images. */
  unpulledHints?: { localstack?: string; other?: string };
  /** Remove the named volumes before starting, so it starts empty. Otherwise they are kept between runs. */
  fresh?: boolean;
  /** What the console should hear, such as the volumes being removed. */
  onNotice?: (line: string) => void;
}

const READY_TIMEOUT_MS = 120_000;

/**
 * The AWS emulator (LocalStack or fauxqs) and Postgres as containers of the engine, run with the
 * docker client alone: no Compose, so it works alike with Compose v2, v1 or none. start() returns
 * once Postgres accepts TCP connections and the emulator's health endpoint answers. Postgres's
 * data and fauxqs's queues live in named volumes that outlive stop(), so a second start
 * continues with the same data; `fresh` removes them first.
 *
 * @example
 * dockerBackend({ project: "shop", emulator: { kind: "fauxqs", image: DEFAULT_FAUXQS_IMAGE },
 *   postgresImage: DEFAULT_POSTGRES_IMAGE, ports: { aws: 4566, database: 5433 } });
 */
export function dockerBackend({ project, emulator, postgresImage, ports, imageSettings, unpulledHints, fresh = false, onNotice = console.log }: DockerProject): Backend {
  const names = {
    postgres: `${project}-postgres`,
    emulator: `${project}-${emulator.kind}`,
    postgresVolume: `${project}_postgres-data`,
    fauxqsVolume: `${project}_fauxqs-data`,
  };
  const docker = (...args: string[]) => run("docker", args, { maxBuffer: 16 * 1024 * 1024 });
  const removeContainers = () => docker("rm", "--force", "--volumes", names.postgres, names.emulator).catch(() => {});

  return {
    name: "docker",
    description: `docker: ${emulator.kind} (${emulator.image}) on :${ports.aws}, postgres (${postgresImage}) on :${ports.database}`,
    async start(): Promise<StartedBackend> {
      const availability = await dockerAvailability();
      if (!availability.ok) throw new LocalAwsError(`the docker backend needs a Docker engine: ${availability.missing}; or use the embedded backend`);
      const compose = await composeFlavour();
      if (compose.kind === "v1") onNotice(composeV1Notice(compose.version));
      if (emulator.kind === "localstack") checkLocalstackImage(emulator.image, emulator.authToken);

      // Containers a killed run left behind hold the ports; their data is in the volumes, not in them.
      await removeContainers();
      if (fresh) {
        await docker("volume", "rm", "--force", names.postgresVolume, names.fauxqsVolume);
        onNotice("state: --fresh, removed the docker volumes");
      }
      // A process that exits while they start (Ctrl-C before start() returns: the caller has no
      // backend to stop yet) takes its containers with it; an exit handler can only wait synchronously.
      const removeOnExit = () => {
        try {
          execFileSync("docker", ["rm", "--force", "--volumes", names.postgres, names.emulator], { stdio: "ignore", timeout: 15_000 });
        } catch {
          // Not there, or no engine: nothing to remove.
        }
      };
      process.on("exit", removeOnExit);
      try {
        await docker(
          "run", "--detach", "--name", names.postgres,
          "--publish", `127.0.0.1:${ports.database}:5432`,
          "--env", "POSTGRES_USER=postgres", "--env", "POSTGRES_PASSWORD=postgres",
          // Postgres 18's images keep their data under /var/lib/postgresql/18/docker: the volume is the parent.
          "--volume", `${names.postgresVolume}:/var/lib/postgresql`,
          postgresImage,
        );
        await docker("run", "--detach", "--name", names.emulator, "--publish", `127.0.0.1:${ports.aws}:4566`, ...emulatorArguments(emulator, names.fauxqsVolume, ports.aws), emulator.image);
        await Promise.all([
          waitForPostgres(names.postgres),
          waitForHttp(names.emulator, `http://127.0.0.1:${ports.aws}${emulator.kind === "localstack" ? "/_localstack/health" : "/health"}`),
        ]);
      } catch (error) {
        // The volumes stay: a failed start is no reason to lose the data of earlier runs.
        await removeContainers();
        if (error instanceof LocalAwsError) throw error;
        const { stderr = "", cmd = "" } = error as { stderr?: string; cmd?: string };
        const image = cmd.endsWith(` ${postgresImage}`) ? postgresImage : emulator.image;
        const setting = image === postgresImage ? imageSettings?.postgres : imageSettings?.emulator;
        const unpulled = /Unable to find image|pull access denied|manifest unknown|no such host|not found/i.test(stderr);
        const hint = image === emulator.image && emulator.kind === "localstack" ? unpulledHints?.localstack : unpulledHints?.other;
        throw new LocalAwsError(
          `docker run failed: ${stderr.trim() || String(error)}` +
            (unpulled
              ? `\n${image} cannot be pulled here${setting ? `: set ${setting} to a copy this engine can reach (a registry mirror's, or one built locally)` : ""}` +
                (hint ? `; ${hint}` : "")
              : ""),
        );
      } finally {
        process.off("exit", removeOnExit);
      }
      return {
        name: "docker",
        awsEndpoint: `http://127.0.0.1:${ports.aws}`,
        ...EMULATOR_ACCOUNT,
        database: { host: "127.0.0.1", port: ports.database, database: "postgres", user: "postgres", password: "postgres" },
        databaseServer: {
          stop: async () => void (await docker("stop", names.postgres)),
          start: async () => {
            await docker("start", names.postgres);
            await waitForPostgres(names.postgres);
          },
        },
        async stop() {
          await removeContainers();
        },
      };
    },
  };
}

function emulatorArguments(emulator: EmulatorContainer, fauxqsVolume: string, hostPort: number): string[] {
  if (emulator.kind === "fauxqs") {
    return ["--env", "FAUXQS_PERSISTENCE=true", "--volume", `${fauxqsVolume}:/data`];
  }
  return [
    "--env", "SERVICES=sqs,s3",
    // Queue URLs name LOCALSTACK_HOST (default localhost.localstack.cloud:4566, the container's
    // port): with the host's port they point at this container. Clients here send to the endpoint
    // rather than to a queue URL's host, so this is for people who copy a URL.
    "--env", `LOCALSTACK_HOST=localhost.localstack.cloud:${hostPort}`,
    ...(emulator.authToken ? ["--env", `LOCALSTACK_AUTH_TOKEN=${emulator.authToken}`] : []),
  ];
}

/**
 * Refuses a LocalStack tag after 4.14.0 (latest and stable too) without an auth token before
 * pulling it: those images exit at start (code 55, "LocalStack requires an account to run"),
 * which would otherwise surface as a readiness timeout. Tags that are not versions (a mirror's
 * own naming) are taken as given.
 *
 * @example
 * checkLocalstackImage("localstack/localstack:4.14.0", undefined); // passes
 * checkLocalstackImage("localstack/localstack:latest", undefined); // throws, naming LOCALSTACK_AUTH_TOKEN
 */
export function checkLocalstackImage(image: string, authToken: string | undefined): void {
  if (authToken || !needsAuthToken(image)) return;
  throw new LocalAwsError(
    `${image} needs LOCALSTACK_AUTH_TOKEN: LocalStack images after 4.14.0 (latest and stable among them) refuse to start without an account. ` +
      `Set the token, or use ${DEFAULT_LOCALSTACK_IMAGE}.`,
  );
}

function needsAuthToken(image: string): boolean {
  const tag = /:([^:/@]+)$/.exec(image)?.[1] ?? "latest";
  if (tag === "latest" || tag === "stable") return true;
  const version = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(tag);
  if (!version) return false;
  const [major, minor, patch] = [Number(version[1]), Number(version[2]), Number(version[3] ?? 0)];
  return major > 4 || (major === 4 && (minor > 14 || (minor === 14 && patch > 0)));
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

async function waitForHttp(container: string, url: string): Promise<void> {
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
