import { execFileSync } from "node:child_process";
import { LocalAwsError } from "../errors.ts";
import { EMULATOR_ACCOUNT, type Backend, type BackendPorts, type StartedBackend } from "./backend.ts";
import { composeFlavour, composeV1Notice, dockerAvailability, run, waitForHttp, waitForPostgres } from "./dockerEngine.ts";

export type AwsEmulator = "localstack" | "fauxqs";

/** The last LocalStack image that runs without an account; newer tags need LOCALSTACK_AUTH_TOKEN. */
export const DEFAULT_LOCALSTACK_IMAGE = "localstack/localstack:4.14.0";
export const DEFAULT_FAUXQS_IMAGE = "kibertoad/fauxqs:2.4.1";
export const DEFAULT_POSTGRES_IMAGE = "postgres:18.4-alpine";

/** The AWS emulator to run and its image: a mirror's copy or a stand-in is as good as the official one. */
export type EmulatorContainer = { kind: "localstack"; image: string; authToken?: string } | { kind: "fauxqs"; image: string };

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
export function dockerBackend(project: DockerProject): Backend {
  const { emulator, postgresImage, ports, fresh = false, onNotice = console.log } = project;
  const names = containerNames(project);
  const removeContainers = async () => void (await docker("rm", "--force", "--volumes", names.postgres, names.emulator).catch(() => {}));

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
        await runContainers(project, names);
      } catch (error) {
        // The volumes stay: a failed start is no reason to lose the data of earlier runs.
        await removeContainers();
        throw error instanceof LocalAwsError ? error : dockerRunFailure(error, project);
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
        stop: removeContainers,
      };
    },
  };
}

type ContainerNames = ReturnType<typeof containerNames>;

function containerNames({ project, emulator }: DockerProject) {
  return {
    postgres: `${project}-postgres`,
    emulator: `${project}-${emulator.kind}`,
    postgresVolume: `${project}_postgres-data`,
    fauxqsVolume: `${project}_fauxqs-data`,
  };
}

function docker(...args: string[]) {
  return run("docker", args, { maxBuffer: 16 * 1024 * 1024 });
}

/** Postgres and the emulator, started and answering. */
async function runContainers({ emulator, postgresImage, ports }: DockerProject, names: ContainerNames): Promise<void> {
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
}

/** A failed `docker run` in words: what docker said, and for an image it cannot pull, the setting that names another. */
function dockerRunFailure(error: unknown, { emulator, postgresImage, imageSettings, unpulledHints }: DockerProject): LocalAwsError {
  const { stderr = "", cmd = "" } = error as { stderr?: string; cmd?: string };
  const image = cmd.endsWith(` ${postgresImage}`) ? postgresImage : emulator.image;
  const setting = image === postgresImage ? imageSettings?.postgres : imageSettings?.emulator;
  const unpulled = /Unable to find image|pull access denied|manifest unknown|no such host|not found/i.test(stderr);
  const hint = image === emulator.image && emulator.kind === "localstack" ? unpulledHints?.localstack : unpulledHints?.other;
  return new LocalAwsError(
    `docker run failed: ${stderr.trim() || String(error)}` +
      (unpulled
        ? `\n${image} cannot be pulled here${setting ? `: set ${setting} to a copy this engine can reach (a registry mirror's, or one built locally)` : ""}` +
          (hint ? `; ${hint}` : "")
        : ""),
  );
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

