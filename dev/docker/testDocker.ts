/**
 * `npm run test:docker`: the integration suites on the docker backend, for real. Uses the Docker
 * engine that answers, or, as root on Linux, installs (Debian's docker.io) and starts one itself
 * and stops it at the end. An image that cannot be pulled is replaced by a stand-in built from
 * registry packages (standinImages.ts); LocalStack has none, so without its image the AWS
 * emulator is fauxqs. Then the docker backend of `npm run dev` itself, as a user runs it
 * (devCheck.ts). It prints which images were stand-ins and how long each stage took.
 *
 * Arguments go to vitest: `npm run test:docker -- integration/recovery.test.ts` (the `npm run dev`
 * check is left out of such a run). Without arguments it runs every suite on LocalStack, and on
 * fauxqs only those where docker can fail differently (SUITES_WHERE_DOCKER_DIFFERS).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { dockerAvailability } from "../aws/backends/index.ts";
import { dockerImagesFrom } from "../commands/backendChoice.ts";
import { checkDevOnDocker } from "./devCheck.ts";
import { imageOrStandin, imagePresent, pull, type ResolvedImage } from "./standinImages.ts";

const run = promisify(execFile);
const projectDir = resolve(import.meta.dirname, "../..");
/** testcontainers' reaper image (testcontainers 11): when it cannot be pulled the reaper is off and this script cleans up. */
const RYUK_IMAGE = "testcontainers/ryuk:0.14.0";

/**
 * The suites whose docker variant can fail differently from the embedded run when the emulator is
 * fauxqs, the same fauxqs the embedded backend runs: Postgres in a container reached over the
 * engine's port mapping (a burst stored exactly once, the connection cap held), and the database
 * container stopped and started under load. The handlers' behaviour and AWS's rules run once, in
 * `npm test`. With LocalStack, whose SQS and S3 are other code, every suite runs on docker.
 */
const SUITES_WHERE_DOCKER_DIFFERS = ["integration/pipeline.test.ts", "integration/recovery.test.ts"];

const timings: [string, number][] = [];
const log = (line: string) => console.log(`test:docker: ${line}`);

async function timed<T>(stage: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings.push([stage, (Date.now() - started) / 1000]);
  }
}

const isRoot = process.getuid?.() === 0;
/** Set by a Ctrl-C during the suites: nothing more is started after them. */
let interrupted = false;

async function commandExists(command: string): Promise<boolean> {
  try {
    await run("sh", ["-c", `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

/** Where Debian's maintainer scripts ask whether they may start a service (invoke-rc.d, deb-systemd-invoke). */
const POLICY_RC_D = "/usr/sbin/policy-rc.d";

/**
 * Debian packages this run needs, installed only as root and only when missing, after an
 * `apt-get update`. The services they bring are not started (a policy-rc.d answering 101 for the
 * install's duration, unless one is there already): the engine this script needs it starts, and
 * stops, itself.
 */
async function aptInstall(packages: string[], why: string): Promise<void> {
  if (!isRoot || !(await commandExists("apt-get"))) {
    throw new Error(`${why}: install ${packages.join(" ")} (Debian/Ubuntu: apt-get install ${packages.join(" ")}), or run this as root on Debian to have it installed`);
  }
  log(`${why}: apt-get update, apt-get install ${packages.join(" ")}`);
  await timed(`apt-get install ${packages.join(" ")}`, async () => {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const ownPolicy = !existsSync(POLICY_RC_D);
    if (ownPolicy) await writeFile(POLICY_RC_D, "#!/bin/sh\n# test:docker: no service starts while it installs packages\nexit 101\n", { mode: 0o755 });
    try {
      await run("apt-get", ["update", "-qq"], { env, maxBuffer: 64 * 1024 * 1024 });
      await run("apt-get", ["install", "-y", "-qq", ...packages], { env, maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
      const { stderr = "" } = error as { stderr?: string };
      throw new Error(`apt-get failed installing ${packages.join(" ")}:\n${stderr.trim().split("\n").slice(-10).join("\n")}`, { cause: error });
    } finally {
      if (ownPolicy) await rm(POLICY_RC_D, { force: true });
    }
  });
}

/** The engine that answers, or one this script starts (returned, to be stopped at the end). */
async function ensureEngine(): Promise<ChildProcess | undefined> {
  const availability = await dockerAvailability();
  if (availability.ok) {
    log("using the Docker engine that answers");
    return undefined;
  }
  if (!isRoot || process.platform !== "linux") {
    throw new Error(`${availability.missing}. (As root on Linux, this script installs and starts one itself.)`);
  }
  if (!(await commandExists("dockerd")) || !(await commandExists("docker"))) {
    await aptInstall(["docker.io"], "no Docker engine installed");
    // Should the package have started the engine as a service all the same, that one is used, and left running.
    if ((await dockerAvailability()).ok) {
      log("using the Docker engine the docker.io package started (a service: left running)");
      return undefined;
    }
  }
  const logFile = join(tmpdir(), `test-docker-dockerd-${process.pid}.log`);
  return timed("start dockerd", async () => {
    const output = openSync(logFile, "a");
    // A process group of its own: Ctrl-C at the terminal stops the suites, and this script then
    // removes their containers before it stops the engine, rather than the engine going first.
    const dockerd = spawn("dockerd", [], { stdio: ["ignore", output, output], detached: true });
    log(`started dockerd (pid ${dockerd.pid}, log ${logFile}); it is stopped at the end`);
    for (let waited = 0; waited < 60_000; waited += 500) {
      if (dockerd.exitCode !== null) throw new Error(`dockerd exited with code ${dockerd.exitCode}: see ${logFile}`);
      if ((await dockerAvailability()).ok) return dockerd;
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    }
    dockerd.kill("SIGTERM");
    throw new Error(`dockerd did not answer within 60 s: see ${logFile}`);
  });
}

async function stopEngine(dockerd: ChildProcess): Promise<void> {
  if (dockerd.exitCode !== null || dockerd.signalCode !== null) {
    log(`dockerd (pid ${dockerd.pid}) had already exited`);
    return;
  }
  await timed("stop dockerd", async () => {
    const exited = new Promise((resolveExit) => dockerd.once("exit", resolveExit));
    dockerd.kill("SIGTERM");
    const timeout = setTimeout(() => dockerd.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timeout);
  });
  log(`stopped dockerd (pid ${dockerd.pid})`);
}

async function pullable(image: string, timeoutMs?: number): Promise<boolean> {
  return (await imagePresent(image)) || (await pull(image, timeoutMs)).ok;
}

async function testcontainersIds(): Promise<Set<string>> {
  const { stdout } = await run("docker", ["ps", "--all", "--quiet", "--no-trunc", "--filter", "label=org.testcontainers=true"]);
  return new Set(stdout.split("\n").filter(Boolean));
}

/**
 * The images to run, stand-ins where the real ones cannot be pulled, as environment for the suites.
 * The pulls run side by side, so a registry that never answers costs one timeout, not four.
 */
async function chooseImages(): Promise<{ env: Record<string, string>; resolved: ResolvedImage[]; notes: string[] }> {
  const settings = dockerImagesFrom();
  const notes: string[] = [];
  let debootstrapReady: Promise<void> | undefined;
  const ensureDebootstrap = () =>
    (debootstrapReady ??= (async () => {
      if (!(await commandExists("debootstrap"))) await aptInstall(["debootstrap"], "stand-in images are built with debootstrap");
    })());
  const chooseEmulator = async (): Promise<{ kind: "localstack" | "fauxqs"; resolved?: ResolvedImage; image: string }> => {
    let emulator = settings.emulator;
    if (emulator.kind === "localstack") {
      if (await pullable(emulator.image, 600_000)) {
        log(`AWS emulator: LocalStack (${emulator.image})`);
        return { kind: "localstack", image: emulator.image };
      }
      if (process.env.PONTO_AWS_EMULATOR === "localstack") {
        throw new Error(`PONTO_AWS_EMULATOR=localstack, but ${emulator.image} cannot be pulled: set LOCALSTACK_IMAGE to a copy this engine can reach`);
      }
      const note = `${emulator.image} cannot be pulled, and LocalStack has no stand-in: the AWS emulator is fauxqs (PONTO_AWS_EMULATOR=fauxqs)`;
      notes.push(note);
      log(note);
      emulator = dockerImagesFrom({ ...process.env, PONTO_AWS_EMULATOR: "fauxqs" }).emulator;
    }
    const resolved = await imageOrStandin(emulator.image, "fauxqs", (line) => log(`fauxqs: ${line}`), ensureDebootstrap);
    return { kind: "fauxqs", resolved, image: resolved.image };
  };
  const reaperPullable = async () => process.env.TESTCONTAINERS_RYUK_DISABLED !== undefined || (await pullable(RYUK_IMAGE));
  const [postgres, emulator, reaper] = await timed("images (pull or build stand-ins)", () =>
    Promise.all([
      imageOrStandin(settings.postgresImage, "postgres", (line) => log(`postgres: ${line}`), ensureDebootstrap),
      chooseEmulator(),
      reaperPullable(),
    ]),
  );
  const env: Record<string, string> = {
    INTEGRATION_BACKEND: "docker",
    PONTO_AWS_EMULATOR: emulator.kind,
    PONTO_POSTGRES_IMAGE: postgres.image,
    PONTO_AWS_EMULATOR_IMAGE: emulator.image,
  };
  if (!reaper) {
    log(`${RYUK_IMAGE} cannot be pulled: testcontainers' reaper is off, and this script removes the suites' containers itself`);
    env.TESTCONTAINERS_RYUK_DISABLED = "true";
  }
  return { env, resolved: [postgres, ...(emulator.resolved ? [emulator.resolved] : [])], notes };
}

async function runSuites(env: Record<string, string>, args: string[]): Promise<number> {
  return timed("integration suites (docker)", async () => {
    // One file at a time: the suites share one emulator container, and the timing-sensitive ones
    // (fidelity, recovery) miss their bounds when every suite hammers it at once on two cores.
    const vitest = spawn(join(projectDir, "node_modules/.bin/vitest"), ["run", "--project", "integration", "--no-file-parallelism", ...args], {
      cwd: projectDir,
      stdio: "inherit",
      env: { ...process.env, ...env },
    });
    const forward = (signal: NodeJS.Signals) => {
      interrupted = true;
      vitest.kill(signal);
    };
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    const code = await new Promise<number>((resolveExit) => vitest.on("close", (exitCode) => resolveExit(exitCode ?? 1)));
    process.off("SIGINT", forward);
    process.off("SIGTERM", forward);
    return code;
  });
}

async function main(): Promise<number> {
  const started = Date.now();
  let dockerd: ChildProcess | undefined;
  let exitCode = 1;
  let before: Set<string> | undefined;
  let reaperOff = false;
  let resolved: ResolvedImage[] = [];
  let notes: string[] = [];
  let devCheck: "passed" | "FAILED" | undefined;
  try {
    dockerd = await ensureEngine();
    const images = await chooseImages();
    resolved = images.resolved;
    notes = images.notes;
    reaperOff = (images.env.TESTCONTAINERS_RYUK_DISABLED ?? process.env.TESTCONTAINERS_RYUK_DISABLED) === "true";
    if (reaperOff) before = await testcontainersIds();
    log(`running the integration suites with ${Object.entries(images.env).map(([name, value]) => `${name}=${value}`).join(" ")}`);
    const vitestArgs = process.argv.slice(2);
    const suites = vitestArgs.length > 0 || images.env.PONTO_AWS_EMULATOR === "localstack" ? vitestArgs : SUITES_WHERE_DOCKER_DIFFERS;
    if (suites !== vitestArgs) log(`fauxqs is the embedded backend's emulator too: the suites where docker differs, ${suites.join(", ")}`);
    exitCode = await runSuites(images.env, suites);
    if (interrupted) {
      log("interrupted: the npm run dev check is left out");
    } else if (vitestArgs.length > 0) {
      log("the npm run dev check is left out: vitest arguments were given");
    } else {
      const { INTEGRATION_BACKEND: _backend, TESTCONTAINERS_RYUK_DISABLED: _reaper, ...imageEnv } = images.env;
      devCheck = await timed("npm run dev check (docker)", () => checkDevOnDocker(imageEnv, (line) => log(`dev: ${line}`))).then(
        () => "passed",
        (error: unknown) => {
          console.error(`test:docker: the npm run dev check failed: ${error instanceof Error ? error.message : String(error)}`);
          return "FAILED";
        },
      );
      if (devCheck === "FAILED" && exitCode === 0) exitCode = 1;
    }
  } catch (error) {
    console.error(`test:docker: error: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    const earlier = before;
    if (earlier) {
      const left = [...(await testcontainersIds().catch(() => new Set<string>()))].filter((id) => !earlier.has(id));
      if (left.length > 0) {
        await run("docker", ["rm", "--force", "--volumes", ...left]).catch(() => {});
        log(`removed ${left.length} container(s) the suites left`);
      }
    }
    if (dockerd) await stopEngine(dockerd).catch((error: unknown) => console.error(`test:docker: stopping dockerd: ${String(error)}`));
  }
  const standins = resolved.filter((image) => image.standinReason);
  console.log("\ntest:docker summary");
  for (const note of notes) console.log(`  ${note}`);
  for (const image of resolved) {
    console.log(
      image.standinReason
        ? `  stand-in ${image.image} for ${image.requested} (${image.buildSeconds ? `built in ${image.buildSeconds} s` : "cached"})`
        : `  ${image.image} (the image itself)`,
    );
  }
  if (standins.length === 0 && resolved.length > 0) console.log("  no stand-ins");
  if (devCheck) console.log(`  npm run dev on the docker backend (ready, a punch stored, Ctrl-C leaves nothing): ${devCheck}`);
  for (const [stage, seconds] of timings) console.log(`  ${stage.padEnd(40)} ${seconds.toFixed(1)} s`);
  console.log(`  ${"total".padEnd(40)} ${((Date.now() - started) / 1000).toFixed(1)} s, ${exitCode === 0 ? "passed" : "FAILED"}`);
  return exitCode;
}

process.exitCode = await main();
