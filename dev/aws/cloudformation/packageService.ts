import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, extname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { lock } from "proper-lockfile";
import { LocalAwsError } from "../errors.ts";
import { startCallerIdentityEndpoint } from "./callerIdentity.ts";
import { compatibleConfiguration, withRuntimeFix, type FrameworkVersionCheck } from "./frameworkCompatibility.ts";
import type { CloudFormationTemplate } from "./intrinsics.ts";

const run = promisify(execFile);
/** The framework the service installed (osls, or another build that keeps its CLI at bin/serverless.js). */
const FRAMEWORK_PACKAGE = createRequire(import.meta.url).resolve("serverless/package.json");
const SERVERLESS_CLI = join(dirname(FRAMEWORK_PACKAGE), "bin", "serverless.js");

export interface PackageOptions {
  /** Path of the serverless.yml to read; its folder is the service root. */
  configPath: string;
  stage: string;
  /** Stage params given on the command line (`--param name=value`), as a deploy would. */
  params?: Record<string, string>;
  /** Keep the artefacts (template, zips) here instead of discarding them. */
  outputDir?: string;
  /** The local account: what `${aws:accountId}` resolves to, through a loopback STS (callerIdentity.ts). */
  account?: { accountId: string; credentials: { accessKeyId: string; secretAccessKey: string } };
}

export interface PackagedService {
  template: CloudFormationTemplate;
  service: string;
  stage: string;
  region: string;
  /** What was rewritten in the copy of serverless.yml the framework packaged (frameworkCompatibility.ts); shown at start. */
  compatibilityChanges?: string[];
}

/**
 * Runs `serverless package` and returns the CloudFormation template it compiled. The local stack
 * is built from that template, so it sees exactly what would deploy: the framework resolved the
 * variables and the plugins (the API Gateway service proxy among them) added their resources.
 */
export async function packageService({ configPath, stage, params = {}, outputDir: keepIn, account }: PackageOptions): Promise<PackagedService> {
  const serviceDir = dirname(resolve(configPath));
  const workDir = await mkdtemp(join(tmpdir(), "local-aws-package-"));
  const outputDir = keepIn ?? join(workDir, "package");
  // serverless-esbuild leaves its zip staging folders in TMPDIR; this keeps them in workDir.
  const scratchDir = join(workDir, "tmp");
  await mkdir(scratchDir);
  // serverless-esbuild builds in <serviceDir>/.esbuild, so packages of one service run one at a time.
  const release = await lock(serviceDir, { lockfilePath: join(serviceDir, ".serverless-package.lock"), retries: { retries: 120, minTimeout: 250, maxTimeout: 1_000 } });
  let compatibleCopy: string | undefined;
  const compatibilityChanges: string[] = [];
  const sts = account && (await startCallerIdentityEndpoint(account.accountId));
  try {
    compatibleCopy = await writeCompatibleCopy(configPath, (change) => compatibilityChanges.push(change));
    try {
      const paramArgs = Object.entries(params).map(([name, value]) => `--param=${name}=${value}`);
      const config = basename(compatibleCopy ?? configPath);
      const args = ["package", "--stage", stage, "--config", config, "--package", outputDir, ...paramArgs];
      await run(process.execPath, [SERVERLESS_CLI, ...args], {
        cwd: serviceDir,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: "1", TMPDIR: scratchDir, ...(sts && account && localAccountEnvironment(sts.url, account.credentials)) },
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
      throw new LocalAwsError(
        `serverless package failed for ${configPath} (stage ${stage}); fix serverless.yml and start again:\n${withRuntimeFix(`${stdout}${stderr}`)}`,
      );
    }
    const readJson = async (name: string) => JSON.parse(await readFile(join(outputDir, name), "utf8")) as unknown;
    const state = (await readJson("serverless-state.json")) as {
      service: { service: string; provider: { region: string } };
    };
    return {
      template: (await readJson("cloudformation-template-update-stack.json")) as CloudFormationTemplate,
      service: state.service.service,
      // The stage asked for, as the framework resolves ${sls:stage}: its state file keeps
      // provider.stage as serverless.yml wrote it, and "dev" where serverless.yml names none.
      stage,
      region: state.service.provider.region,
      ...(compatibilityChanges.length > 0 && { compatibilityChanges }),
    };
  } finally {
    await sts?.close();
    if (compatibleCopy) await rm(compatibleCopy, { force: true });
    await release();
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * A copy of serverless.yml beside it (its relative paths, `${file()}` and `./plugin` among them,
 * resolve as from the original) with what osls refuses of a v3 service rewritten; none when the
 * original packages as it is. Only YAML is rewritten: a serverless.ts or .js builds its own object.
 */
async function writeCompatibleCopy(configPath: string, onChange: (change: string) => void): Promise<string | undefined> {
  if (![".yml", ".yaml"].includes(extname(configPath))) return undefined;
  const { text, changes } = compatibleConfiguration(await readFile(configPath, "utf8"), await frameworkVersionCheck());
  if (changes.length === 0) return undefined;
  changes.forEach(onChange);
  const copy = join(dirname(resolve(configPath)), `.serverless-compatible-${process.pid}-${basename(configPath)}`);
  await writeFile(copy, text);
  return copy;
}

/** The installed framework's version and its own semver, which is how it checks frameworkVersion. */
async function frameworkVersionCheck(): Promise<FrameworkVersionCheck> {
  const { version } = JSON.parse(await readFile(FRAMEWORK_PACKAGE, "utf8")) as { version: string };
  const semver = createRequire(FRAMEWORK_PACKAGE)("semver") as {
    validRange(range: string): string | null;
    satisfies(version: string, range: string): boolean;
    intersects(first: string, second: string): boolean;
  };
  return {
    version,
    isRange: (range) => semver.validRange(range) !== null,
    satisfies: (range) => range === version || semver.satisfies(version, range),
    admitsV3: (range) => semver.intersects(range, ">=3.0.0 <4.0.0"),
  };
}

/**
 * The framework's STS on the loopback one, so `${aws:accountId}` is the local account; and, where
 * the environment names no credentials of the developer's own, the backend's, which the framework
 * requires before it asks. Credentials it has are kept: they reach the loopback STS only.
 */
function localAccountEnvironment(stsUrl: string, credentials: { accessKeyId: string; secretAccessKey: string }): Record<string, string> {
  const own = ["AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE"].some((name) => process.env[name]) || existsSync(join(homedir(), ".aws", "credentials"));
  return {
    AWS_ENDPOINT_URL_STS: stsUrl,
    ...(!own && { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey }),
  };
}
