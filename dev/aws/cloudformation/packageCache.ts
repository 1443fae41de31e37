import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { packageService, type PackageOptions, type PackagedService } from "./packageService.ts";

/**
 * `packageService`, remembered in `cacheDir`: a start whose serverless.yml, stage, params, the files
 * it reads with `${file(…)}`, the environment variables it reads with `${env:…}` and the framework's
 * version are those of the last package reuses its template, and skips the framework's several
 * seconds. Anything else it could depend on (a plugin's own settings file) is not seen: packaging
 * again takes a change to serverless.yml, or the cache folder removed.
 *
 * @example
 * const packaged = await packageServiceCached({ configPath: "serverless.yml", stage: "local" }, ".state/package", (reused) => console.log(reused));
 */
export async function packageServiceCached(
  options: PackageOptions,
  cacheDir: string,
  onDecided: (reused: boolean) => void = () => {},
): Promise<PackagedService> {
  const cacheFile = join(cacheDir, "package.json");
  const key = await packageKey(options);
  const cached = await readFile(cacheFile, "utf8").then(
    (text) => JSON.parse(text) as { key: string; packaged: PackagedService },
    () => undefined,
  );
  onDecided(cached?.key === key);
  if (cached?.key === key) return cached.packaged;
  const packaged = await packageService(options);
  await mkdir(cacheDir, { recursive: true });
  // Written aside and renamed, so a kill mid-write never leaves a torn cache behind.
  await writeFile(`${cacheFile}.tmp`, JSON.stringify({ key, packaged }));
  await rename(`${cacheFile}.tmp`, cacheFile);
  return packaged;
}

async function packageKey({ configPath, stage, params = {} }: PackageOptions): Promise<string> {
  const config = await readFile(configPath, "utf8");
  const serviceDir = dirname(resolve(configPath));
  // The format of what is cached: a package kept by an older kit (which took its stage from the
  // state file) is packaged again rather than reused.
  const hash = createHash("sha256").update(JSON.stringify({ format: 2, stage, params, config }));
  for (const [, file] of config.matchAll(/\$\{file\(([^)]+)\)/g)) {
    hash.update(await readFile(resolve(serviceDir, file!.trim()), "utf8").catch(() => "(missing)"));
  }
  for (const [, name] of config.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)/g)) hash.update(`${name}=${process.env[name!] ?? ""}`);
  const frameworkPackage = createRequire(import.meta.url).resolve("serverless/package.json");
  hash.update(await readFile(frameworkPackage, "utf8"));
  return hash.digest("hex");
}
