/**
 * `npm run dev`: the whole pipeline on this machine. Picks a backend (Docker when an engine
 * answers, else embedded), brings serverless.yml up on it, prints the URLs and "ready", and on
 * Ctrl-C stops everything it started. Its data is kept per stage between runs, and a saved
 * handler takes effect on the next invocation.
 */
import inspector from "node:inspector";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { StartedBackend } from "../aws/backends/index.ts";
import { BACKEND_CHOICES, chooseBackend } from "./backendChoice.ts";
import { CommandError, runCommand } from "./commandError.ts";
import { renderLogLine, renderStatusLine } from "./terminalLines.ts";
import { localCredentialLines } from "../ponto/clockCredentials.ts";
import { startPontoStack, type PontoStack } from "../ponto/pontoStack.ts";
import { assertPortsFree } from "./process/ports.ts";
import { prepareStateDir } from "./stateDir.ts";

const HELP = `Usage: npm run dev -- [options]

Runs ponto locally: the queues and functions of serverless.yml, on a local SQS and Postgres.

Options:
  --backend <name>   ${BACKEND_CHOICES.join(" | ")} (default: PONTO_BACKEND or auto)
                     auto = docker when a Docker engine answers, else embedded
  --port <n>         HTTP API port (default: PONTO_API_PORT or 3000)
  --aws-port <n>     SQS/S3 endpoint port, embedded and docker (default: 4566)
  --db-port <n>      Postgres port, embedded and docker (default: 5433)
  --stage <name>     serverless stage to package (default: local)
  --config <file>    another serverless.yml to run (default: serverless.yml); its folder is
                     the service's
  --state-dir <dir>  where the data is kept between runs (default: .ponto/<stage>)
  --fresh            start empty: remove the kept data (docker: its named volumes) first
  --inspect[=[host:]port]
                     open the Node inspector (default 127.0.0.1:9229) and print how to attach;
                     breakpoints in handlers (.ts lines) stop their execution environments
  --quiet            no live counters, function logs only
  -h, --help         this text

A saved change to a handler, or to anything it imports, applies to the next invocation; a saved
serverless.yml is applied in place, data kept.

Environment: PONTO_AWS_EMULATOR=localstack|fauxqs, PONTO_AWS_EMULATOR_IMAGE, PONTO_POSTGRES_IMAGE,
LOCALSTACK_IMAGE and LOCALSTACK_AUTH_TOKEN (docker backend; a LocalStack newer than 4.14.0 needs a
token), COMPOSE_PROJECT_NAME (docker backend: the containers' and volumes' prefix, default ponto),
PONTO_AWS_ENDPOINT and PONTO_DATABASE_URL (external backend), POWERTOOLS_LOG_LEVEL (function logs).

\`npm run dev:fast\` is the same stack with V8's usual heap sizing: faster under load, half again
as much memory under a burst (npm run dev runs V8 with --optimize-for-size).`;

const SHUTDOWN_GRACE_MS = 10_000;
const projectDir = fileURLToPath(new URL("../..", import.meta.url));
const DEFAULT_INSPECTOR = { host: "127.0.0.1", port: 9229 };
const colour = process.stdout.isTTY;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).map((arg) => (arg === "--inspect" ? `--inspect=${DEFAULT_INSPECTOR.host}:${DEFAULT_INSPECTOR.port}` : arg)),
    options: {
      backend: { type: "string", default: process.env.PONTO_BACKEND ?? "auto" },
      port: { type: "string", default: process.env.PONTO_API_PORT ?? "3000" },
      "aws-port": { type: "string", default: "4566" },
      "db-port": { type: "string", default: "5433" },
      stage: { type: "string", default: "local" },
      config: { type: "string", default: "serverless.yml" },
      "state-dir": { type: "string" },
      fresh: { type: "boolean", default: false },
      inspect: { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const apiPort = portOption(values.port, "--port");
  const ports = { aws: portOption(values["aws-port"], "--aws-port"), database: portOption(values["db-port"], "--db-port") };
  const configPath = resolve(projectDir, values.config);
  const serviceDir = dirname(configPath);
  if (values.inspect !== undefined) openInspector(values.inspect);
  const stateDir = await prepareStateDir({ serviceDir: projectDir, stage: values.stage, given: values["state-dir"], fresh: values.fresh });
  const { backend, reason } = await chooseBackend(values.backend, "--backend", ports, process.env, { stateDir, fresh: values.fresh });
  console.log(`backend: ${backend.name} (${reason}): ${backend.description}`);
  await assertPortsFree([
    { port: apiPort, purpose: "the HTTP API", flag: "--port" },
    ...(backend.name === "external"
      ? []
      : [
          { port: ports.aws, purpose: "the SQS/S3 endpoint", flag: "--aws-port" },
          { port: ports.database, purpose: "Postgres", flag: "--db-port" },
        ]),
  ]);

  let startedBackend: StartedBackend | undefined;
  let stack: PontoStack | undefined;
  let statusTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  const stop = async (reason: string, exitCode = 0) => {
    if (stopping) {
      console.error(`${reason} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${reason}: stopping…`);
    setTimeout(() => {
      console.error(`still stopping after ${SHUTDOWN_GRACE_MS / 1000} s: exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    clearInterval(statusTimer);
    await stack?.stop();
    await startedBackend?.stop();
    console.log("stopped");
    process.exit(exitCode);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  // A crash still stops Postgres and the containers, rather than leaving them orphaned.
  process.on("uncaughtException", (error) => {
    console.error(error);
    void stop("uncaught exception", 1);
  });

  startedBackend = await backend.start();
  try {
    stack = await startPontoStack({
      backend: startedBackend,
      serviceDir,
      stage: values.stage,
      configFile: relative(serviceDir, configPath),
      apiPort,
      packageCacheDir: join(stateDir, "package"),
      stateDir,
      debugging: values.inspect !== undefined,
      onStep: (step) => console.log(`… ${step}`),
      onLog: (functionName, line) => console.log(renderLogLine(functionName, line, colour)),
      watch: {
        onReload: ({ functions, files }) => console.log(`reloaded ${functions.join(", ")}: ${files.join(", ")} changed`),
        onConfigChange: (change) => {
          if (!change.applied) {
            console.warn(`serverless.yml changed and was not applied: ${change.reason}; the stack runs as before, your data is kept`);
            return;
          }
          console.log(`serverless.yml applied in place, data kept: ${change.changes.join("; ")}`);
          for (const warning of change.warnings) console.warn(`warning: ${warning}`);
        },
      },
    });
  } catch (error) {
    await startedBackend.stop();
    throw error;
  }

  const credentialLines = await localCredentialLines(stack);
  for (const warning of stack.warnings) console.warn(`${colour ? "\x1b[33m" : ""}warning: ${warning}${colour ? "\x1b[0m" : ""}`);
  console.log(`
  API            ${stack.apiUrl}
${stack.routes.map((route) => `    ${route.method.padEnd(13)}${stack.apiUrl}${route.path}`).join("\n")}
${stack.httpApiUrl ? `  HTTP API       ${stack.httpApiUrl}\n${stack.httpApiRoutes.map((routeKey) => `    ${routeKey}`).join("\n")}\n` : ""}  local status   ${stack.apiUrl}/_local/status
  console        ${stack.apiUrl}/_local/
  SQS / S3       ${stack.awsEndpoint}
  Postgres       postgres://${stack.database.user}:${stack.database.password}@${stack.database.host}:${stack.database.port}/${stack.database.database}
  queues         ${stack.queues.map((queue) => queue.name).join(", ")}
  buckets        ${stack.buckets.join(", ") || "none"}
${credentialLines.join("\n")}

ready: stage ${stack.stage} on the ${startedBackend.name} backend; Ctrl-C stops everything`);

  if (!values.quiet) {
    let last = "";
    statusTimer = setInterval(() => {
      stack
        ?.status()
        .then((status) => {
          const line = renderStatusLine(status);
          if (line !== last) console.log(colour ? `\x1b[35m${line}\x1b[0m` : line);
          last = line;
        })
        .catch(() => {});
    }, 2_000);
  }
}

/**
 * Opens the inspector on this process. Execution environments are worker threads of it: a
 * debugger attached here sees each as a target of its own (Chrome DevTools lists them, VS Code
 * attaches to them), and Node strips the types without moving lines, so breakpoints go on the .ts.
 */
function openInspector(address: string): void {
  const [host, port] = address.includes(":") ? [address.slice(0, address.lastIndexOf(":")), address.slice(address.lastIndexOf(":") + 1)] : [DEFAULT_INSPECTOR.host, address];
  inspector.open(portOption(port, "--inspect", true), host || DEFAULT_INSPECTOR.host);
  console.log(`inspector: ${inspector.url()}
  attach: Chrome chrome://inspect (add ${host || DEFAULT_INSPECTOR.host}:${new URL(inspector.url()!).port} under Configure), or VS Code "Attach to npm run dev";
  each execution environment shows as a worker: breakpoints in src/handlers/*.ts stop it;
  functions get a 15-minute timeout while the inspector is open, so a paused one is not ended`);
}

function portOption(value: string, flag: string, zeroPicksFree = false): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < (zeroPicksFree ? 0 : 1) || port > 65_535) {
    throw new CommandError(`${flag} must be a TCP port (1-65535), got "${value}"`);
  }
  return port;
}

runCommand(main);
