/**
 * `npm run dev`: the whole pipeline on this machine. Picks a backend (Docker when an engine
 * answers, else embedded), brings serverless.yml up on it, prints the URLs and "ready", and on
 * Ctrl-C stops everything it started.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { StartedBackend } from "./aws/index.ts";
import { BACKEND_CHOICES, chooseBackend } from "./backendChoice.ts";
import { CommandError, runCommand } from "./commandError.ts";
import { renderLogLine, renderStatusLine } from "./console.ts";
import { startPontoStack, type PontoStack } from "./pontoStack.ts";
import { assertPortsFree } from "./process/ports.ts";

const HELP = `Usage: npm run dev -- [options]

Runs ponto locally: the queues and functions of serverless.yml, on a local SQS and Postgres.

Options:
  --backend <name>   ${BACKEND_CHOICES.join(" | ")} (default: PONTO_BACKEND or auto)
                     auto = docker when a Docker engine answers, else embedded
  --port <n>         HTTP API port (default: PONTO_API_PORT or 3000)
  --aws-port <n>     SQS/S3 endpoint port, embedded and docker (default: 4566)
  --db-port <n>      Postgres port, embedded and docker (default: 5433)
  --stage <name>     serverless stage to package (default: local)
  --config <file>    another serverless.yml to run, beside it (default: serverless.yml)
  --quiet            no live counters, function logs only
  -h, --help         this text

Environment: PONTO_AWS_EMULATOR=localstack|fauxqs (docker backend), LOCALSTACK_IMAGE and
LOCALSTACK_AUTH_TOKEN (a LocalStack newer than 4.14.0 needs a token), PONTO_AWS_ENDPOINT and
PONTO_DATABASE_URL (external backend), POWERTOOLS_LOG_LEVEL (function logs).`;

const SHUTDOWN_GRACE_MS = 10_000;
const serviceDir = dirname(dirname(fileURLToPath(import.meta.url)));
const colour = process.stdout.isTTY;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: "string", default: process.env.PONTO_BACKEND ?? "auto" },
      port: { type: "string", default: process.env.PONTO_API_PORT ?? "3000" },
      "aws-port": { type: "string", default: "4566" },
      "db-port": { type: "string", default: "5433" },
      stage: { type: "string", default: "local" },
      config: { type: "string", default: "serverless.yml" },
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
  const { backend, reason } = await chooseBackend(values.backend, ports, serviceDir);
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
      configFile: values.config,
      apiPort,
      onStep: (step) => console.log(`… ${step}`),
      onLog: (functionName, line) => console.log(renderLogLine(functionName, line, colour)),
    });
  } catch (error) {
    await startedBackend.stop();
    throw error;
  }

  for (const warning of stack.warnings) console.warn(`${colour ? "\x1b[33m" : ""}warning: ${warning}${colour ? "\x1b[0m" : ""}`);
  console.log(`
  API            ${stack.apiUrl}
${stack.routes.map((route) => `    ${route.method.padEnd(13)}${stack.apiUrl}${route.path}`).join("\n")}
  local status   ${stack.apiUrl}/_local/status
  SQS / S3       ${stack.awsEndpoint}
  Postgres       postgres://${stack.database.user}:${stack.database.password}@${stack.database.host}:${stack.database.port}/${stack.database.database}
  queues         ${stack.queues.map((queue) => queue.name).join(", ")}
  buckets        ${stack.buckets.join(", ") || "none"}

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

function portOption(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw new CommandError(`${flag} must be a TCP port (1-65535), got "${value}"`);
  }
  return port;
}

runCommand(main);
