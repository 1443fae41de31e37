/**
 * Stand-in images for machines that cannot pull from Docker Hub: the same service, built from
 * packages of registries this machine does reach (Debian's PostgreSQL in a debootstrap root
 * filesystem; fauxqs from npm, as the project installs it, on the project's own Node). They are
 * tagged `ponto-standin/<service>:<hash of the recipe>`, never under an official name, so nobody
 * mistakes one for the real image, and a second run finds the tag and builds nothing.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const projectDir = resolve(import.meta.dirname, "../..");

/** Bumped whenever a recipe below changes: the hash covers its inputs (entrypoint, Node, locked packages), not this code. */
const RECIPE_VERSION = "2";
const DEBIAN_SUITE = "bookworm";

export interface ResolvedImage {
  /** What the setting asked for, e.g. postgres:18.4-alpine. */
  requested: string;
  /** What will run: the same name, or a ponto-standin/… tag. */
  image: string;
  /** Why a stand-in runs instead, or undefined when the requested image itself runs. */
  standinReason?: string;
  /** Seconds spent building, when a stand-in was built now (0 when it came from the cache). */
  buildSeconds?: number;
}

export type StandinService = "postgres" | "fauxqs";

/**
 * The requested image when the engine has it or can pull it; else the stand-in of `service`,
 * built once per recipe. `beforeBuild` runs only when a stand-in is to be built (to install
 * debootstrap, say).
 */
export async function imageOrStandin(
  requested: string,
  service: StandinService,
  log: (line: string) => void,
  beforeBuild: () => Promise<void> = async () => {},
): Promise<ResolvedImage> {
  if (await imagePresent(requested)) return { requested, image: requested };
  const pulled = await pull(requested);
  if (pulled.ok) return { requested, image: requested };
  const standinReason = `${requested} cannot be pulled (${pulled.reason})`;
  const tag = `ponto-standin/${service}:${await recipeHash(service)}`;
  if (await imagePresent(tag)) {
    log(`${standinReason}: using the stand-in ${tag} built earlier`);
    return { requested, image: tag, standinReason, buildSeconds: 0 };
  }
  await beforeBuild();
  log(`${standinReason}: building the stand-in ${tag}`);
  const started = Date.now();
  await buildStandin(service, tag, log);
  return { requested, image: tag, standinReason, buildSeconds: Math.round((Date.now() - started) / 1000) };
}

/** True when the engine has the image locally. */
export async function imagePresent(image: string): Promise<boolean> {
  try {
    await run("docker", ["image", "inspect", image]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Pulls the image, or says why not. The timeout bounds a registry that drops packets rather than
 * refusing; LocalStack's image (about 1 GB) gets a longer one.
 */
export async function pull(image: string, timeoutMs = 180_000): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await run("docker", ["pull", "--quiet", image], { timeout: timeoutMs });
    return { ok: true };
  } catch (error) {
    const { stderr = "", killed = false } = error as { stderr?: string; killed?: boolean };
    if (killed) return { ok: false, reason: `no answer within ${timeoutMs / 1000} s` };
    return { ok: false, reason: stderr.trim().split("\n").at(-1) || String(error) };
  }
}

async function recipeHash(service: StandinService): Promise<string> {
  const hash = createHash("sha256").update(`${RECIPE_VERSION}\n${DEBIAN_SUITE}\n${service}\n`);
  if (service === "postgres") {
    hash.update(await readFile(join(projectDir, "docker/standins/postgres/entrypoint.sh")));
  } else {
    const { stdout } = await run(nodeBinary(), ["--version"]);
    hash.update(stdout);
    for (const entry of await fauxqsClosure()) hash.update(`${entry.path}@${entry.version}\n`);
  }
  return hash.digest("hex").slice(0, 12);
}

async function buildStandin(service: StandinService, tag: string, log: (line: string) => void): Promise<void> {
  const workDir = await mkdtemp(join(tmpdir(), `ponto-standin-${service}-`));
  const rootfs = join(workDir, "rootfs");
  try {
    // postgresql's dependencies come from Debian, resolved by debootstrap itself; fauxqs needs only
    // the C and C++ runtimes the Node binary links, which the minimal base already has.
    await debootstrap(rootfs, service === "postgres" ? ["postgresql"] : [], log);
    const changes = service === "postgres" ? await preparePostgres(rootfs) : await prepareFauxqs(rootfs);
    // The apt lists and cached .debs are a build's leftovers, not part of the service.
    await rm(join(rootfs, "var/cache/apt/archives"), { recursive: true, force: true });
    await rm(join(rootfs, "var/lib/apt/lists"), { recursive: true, force: true });
    log(`importing ${tag}`);
    const tarball = join(workDir, "rootfs.tar");
    await run("tar", ["-C", rootfs, "-cf", tarball, "."], { maxBuffer: 64 * 1024 * 1024 });
    await run("docker", ["import", ...changes.flatMap((change) => ["--change", change]), tarball, tag]);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function debootstrap(rootfs: string, include: string[], log: (line: string) => void): Promise<void> {
  const mirror = await debianMirror();
  log(`debootstrap --variant=minbase ${include.length ? `--include=${include.join(",")} ` : ""}${DEBIAN_SUITE} from ${mirror}`);
  try {
    await run(
      "debootstrap",
      ["--variant=minbase", ...(include.length ? [`--include=${include.join(",")}`] : []), DEBIAN_SUITE, rootfs, mirror],
      { maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`debootstrap failed:\n${`${stdout}\n${stderr}`.trim().split("\n").slice(-15).join("\n")}`, { cause: error });
  }
}

/** The Debian mirror apt already uses here, so the build reaches what apt reaches. */
async function debianMirror(): Promise<string> {
  const candidates = ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"];
  for (const file of candidates) {
    const text = await readFile(file, "utf8").catch(() => "");
    const deb822 = /^URIs:\s*(\S+)/m.exec(text.replace(/^#.*$/gm, ""));
    if (deb822?.[1] && !deb822[1].includes("security")) return deb822[1];
    const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/m.exec(text);
    if (oneLine?.[1]) return oneLine[1];
  }
  return "http://deb.debian.org/debian";
}

async function preparePostgres(rootfs: string): Promise<string[]> {
  const versions = await readdir(join(rootfs, "usr/lib/postgresql"));
  const major = versions.sort().at(-1);
  if (!major) throw new Error("debootstrap installed no PostgreSQL server");
  // Debian's package creates a "main" cluster; the entrypoint makes its own in PGDATA, as the official image does.
  await rm(join(rootfs, `var/lib/postgresql/${major}/main`), { recursive: true, force: true });
  await rm(join(rootfs, `etc/postgresql/${major}/main`), { recursive: true, force: true });
  await cp(join(projectDir, "docker/standins/postgres/entrypoint.sh"), join(rootfs, "usr/local/bin/docker-entrypoint.sh"));
  return [
    `ENV PATH=/usr/lib/postgresql/${major}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    // Under /var/lib/postgresql as in the official 18 images, so the compose file's volume holds it.
    `ENV PGDATA=/var/lib/postgresql/${major}/docker`,
    "ENTRYPOINT [\"/usr/local/bin/docker-entrypoint.sh\"]",
    "EXPOSE 5432",
  ];
}

async function prepareFauxqs(rootfs: string): Promise<string[]> {
  await cp(nodeBinary(), join(rootfs, "usr/local/bin/node"));
  for (const entry of await fauxqsClosure()) {
    await cp(join(projectDir, entry.path), join(rootfs, "app", entry.path), { recursive: true, dereference: true });
  }
  await mkdir(join(rootfs, "data"), { recursive: true });
  await writeFile(join(rootfs, "app/package.json"), JSON.stringify({ name: "fauxqs-standin", private: true, type: "module" }));
  // fauxqs's own server.js (the official image's command) logs every request whatever FAUXQS_LOGGER
  // says; a shared emulator under parallel suites spends its one thread on that. The same start,
  // with FAUXQS_LOGGER honoured as startFauxqs does when no logger option is given.
  await writeFile(
    join(rootfs, "app/server.js"),
    [
      'import { startFauxqs } from "fauxqs";',
      "const dataDir = process.env.FAUXQS_DATA_DIR;",
      "const s3StorageDir = process.env.FAUXQS_S3_STORAGE_DIR;",
      'await startFauxqs({ ...(dataDir && process.env.FAUXQS_PERSISTENCE === "true" ? { dataDir } : {}), ...(s3StorageDir ? { s3StorageDir } : {}) });',
      "",
    ].join("\n"),
  );
  return [
    // As the official image: queue URLs name localhost, and /data holds the SQLite file when
    // FAUXQS_PERSISTENCE=true.
    "ENV FAUXQS_HOST=localhost",
    "ENV FAUXQS_DATA_DIR=/data",
    "WORKDIR /app",
    "EXPOSE 4566",
    "CMD [\"/usr/local/bin/node\", \"/app/server.js\"]",
  ];
}

/** The Node the project installs (the `node` package): a real Node 24, which fauxqs needs for node:sqlite. */
function nodeBinary(): string {
  return join(projectDir, "node_modules/node/bin/node");
}

interface LockedPackage {
  path: string;
  version: string;
}

/**
 * fauxqs and the packages it needs at run time, as package-lock.json locked them: the folders
 * Node's resolution would find, nested ones first.
 */
async function fauxqsClosure(): Promise<LockedPackage[]> {
  const lock = JSON.parse(await readFile(join(projectDir, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
  };
  const found = new Map<string, LockedPackage>();
  const visit = (path: string) => {
    if (found.has(path)) return;
    const entry = lock.packages[path];
    if (!entry) throw new Error(`package-lock.json has no ${path}: run npm ci`);
    found.set(path, { path, version: entry.version ?? "" });
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const resolved = resolveFrom(path, name, lock.packages);
      if (resolved) visit(resolved);
      else if (!entry.optionalDependencies?.[name]) throw new Error(`package-lock.json does not resolve ${name} for ${path}`);
    }
  };
  visit("node_modules/fauxqs");
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** Where Node would find `name` from the package folder `from`: its own node_modules, then each enclosing one. */
function resolveFrom(from: string, name: string, packages: Record<string, unknown>): string | undefined {
  for (let dir = from; ; ) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    if (candidate in packages) return candidate;
    if (dir === "") return undefined;
    const cut = dir.lastIndexOf("/node_modules/");
    dir = cut === -1 ? "" : dir.slice(0, cut);
  }
}
