/**
 * `npm run test:docker`: the integration suites on the docker backend, for real. Uses the Docker
 * engine that answers, or, as root on Linux, installs (Debian's docker.io) and starts one itself
 * and stops it at the end. An image that cannot be pulled is replaced by a stand-in built from
 * registry packages (standinImages.ts); LocalStack has none, so without its image the AWS
 * emulator is fauxqs. It prints which images were stand-ins and how long each stage took.
 *
 * Arguments go to vitest: `npm run test:docker -- integration/recovery.test.ts`.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { dockerAvailability } from "../aws/index.ts";
import { dockerImagesFrom } from "../backendChoice.ts";
import { imageOrStandin, imagePresent, type ResolvedImage } from "./standinImages.ts";

const run = promisify(execFile);
const projectDir = resolve(import.meta.dirname, "../..");
/** testcontainers' reaper image (testcontainers 11): when it cannot be pulled the reaper is off and this script cleans up. */
const RYUK_IMAGE = "testcontainers/ryuk:0.14.0";

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

async function commandExists(command: string): Promise<boolean> {
  try {
    await run("sh", ["-c", `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

/** Debian packages this run needs, installed only as root and only when missing. */
async function aptInstall(packages: string[], why: string): Promise<void> {
  if (!isRoot || !(await commandExists("apt-get"))) {
    throw new Error(`${why}: install ${packages.join(" ")} (Debian/Ubuntu: apt-get install ${packages.join(" ")}), or run this as root on Debian to have it installed`);
  }
  log(`${why}: apt-get install ${packages.join(" ")}`);
  await timed(`apt-get install ${packages.join(" ")}`, async () => {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    await run("apt-get", ["update", "-qq"], { env, maxBuffer: 64 * 1024 * 1024 });
    await run("apt-get", ["install", "-y", "-qq", ...packages], { env, maxBuffer: 64 * 1024 * 1024 });
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
  if (!(await commandExists("dockerd")) || !(await commandExists("docker"))) await aptInstall(["docker.io"], "no Docker engine installed");
  const logFile = join(tmpdir(), `test-docker-dockerd-${process.pid}.log`);
  return timed("start dockerd", async () => {
    const output = openSync(logFile, "a");
    const dockerd = spawn("dockerd", [], { stdio: ["ignore", output, output] });
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
  await timed("stop dockerd", async () => {
    const exited = new Promise((resolveExit) => dockerd.once("exit", resolveExit));
    dockerd.kill("SIGTERM");
    const timeout = setTimeout(() => dockerd.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timeout);
  });
  log(`stopped dockerd (pid ${dockerd.pid})`);
}

async function pullable(image: string): Promise<boolean> {
  if (await imagePresent(image)) return true;
  try {
    await run("docker", ["pull", "--quiet", image], { timeout: 300_000 });
    return true;
  } catch {
    return false;
  }
}

async function testcontainersIds(): Promise<Set<string>> {
  const { stdout } = await run("docker", ["ps", "--all", "--quiet", "--no-trunc", "--filter", "label=org.testcontainers=true"]);
  return new Set(stdout.split("\n").filter(Boolean));
}

/** The images to run, stand-ins where the real ones cannot be pulled, as environment for the suites. */
async function chooseImages(): Promise<{ env: Record<string, string>; resolved: ResolvedImage[]; notes: string[] }> {
  const settings = dockerImagesFrom();
  const notes: string[] = [];
  let emulator = settings.emulator;
  if (emulator.kind === "localstack") {
    if (await pullable(emulator.image)) {
      log(`AWS emulator: LocalStack (${emulator.image})`);
    } else if (process.env.PONTO_AWS_EMULATOR === "localstack") {
      throw new Error(`PONTO_AWS_EMULATOR=localstack, but ${emulator.image} cannot be pulled: set LOCALSTACK_IMAGE to a copy this engine can reach`);
    } else {
      const note = `${emulator.image} cannot be pulled, and LocalStack has no stand-in: the AWS emulator is fauxqs (PONTO_AWS_EMULATOR=fauxqs)`;
      notes.push(note);
      log(note);
      emulator = dockerImagesFrom({ ...process.env, PONTO_AWS_EMULATOR: "fauxqs" }).emulator;
    }
  }
  if (emulator.kind === "fauxqs" || (await standinsNeedDebootstrap(settings.postgresImage))) {
    if (!(await commandExists("debootstrap"))) await aptInstall(["debootstrap"], "stand-in images are built with debootstrap");
  }
  const resolved = await timed("images (pull or build stand-ins)", () =>
    Promise.all([
      imageOrStandin(settings.postgresImage, "postgres", (line) => log(`postgres: ${line}`)),
      ...(emulator.kind === "fauxqs" ? [imageOrStandin(emulator.image, "fauxqs", (line) => log(`fauxqs: ${line}`))] : []),
    ]),
  );
  const [postgres, fauxqs] = resolved as [ResolvedImage, ResolvedImage | undefined];
  const env: Record<string, string> = {
    INTEGRATION_BACKEND: "docker",
    PONTO_AWS_EMULATOR: emulator.kind,
    PONTO_POSTGRES_IMAGE: postgres.image,
    PONTO_AWS_EMULATOR_IMAGE: fauxqs?.image ?? emulator.image,
  };
  return { env, resolved, notes };
}

/** Whether the Postgres image will need a stand-in, asked before building so debootstrap is installed first. */
async function standinsNeedDebootstrap(postgresImage: string): Promise<boolean> {
  return !(await imagePresent(postgresImage));
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
    const forward = (signal: NodeJS.Signals) => vitest.kill(signal);
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
  try {
    dockerd = await ensureEngine();
    const images = await chooseImages();
    resolved = images.resolved;
    notes = images.notes;
    if (process.env.TESTCONTAINERS_RYUK_DISABLED === undefined && !(await pullable(RYUK_IMAGE))) {
      log(`${RYUK_IMAGE} cannot be pulled: testcontainers' reaper is off, and this script removes the suites' containers itself`);
      images.env.TESTCONTAINERS_RYUK_DISABLED = "true";
    }
    reaperOff = (images.env.TESTCONTAINERS_RYUK_DISABLED ?? process.env.TESTCONTAINERS_RYUK_DISABLED) === "true";
    if (reaperOff) before = await testcontainersIds();
    log(`running the integration suites with ${Object.entries(images.env).map(([name, value]) => `${name}=${value}`).join(" ")}`);
    exitCode = await runSuites(images.env, process.argv.slice(2));
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
  for (const [stage, seconds] of timings) console.log(`  ${stage.padEnd(40)} ${seconds.toFixed(1)} s`);
  console.log(`  ${"total".padEnd(40)} ${((Date.now() - started) / 1000).toFixed(1)} s, ${exitCode === 0 ? "passed" : "FAILED"}`);
  return exitCode;
}

process.exitCode = await main();
