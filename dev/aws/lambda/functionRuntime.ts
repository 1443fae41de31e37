import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { LocalAwsError } from "../errors.ts";
import { startStrippedWorker, strippedSources } from "./strippedWorker.ts";
import type { ContainerSettings, FunctionError, InvocationReply } from "./containerProtocol.ts";
import { InvocationHistory } from "./invocationHistory.ts";
import { invokeErrorLine } from "./invokeErrorLine.ts";
import { nodeRuntimeRules } from "./nodeRuntimes.ts";
import { ACCOUNT_CONCURRENCY } from "./concurrencyLimits.ts";

export interface FunctionSettings {
  name: string;
  arn: string;
  /** serverless.yml's handler: "src/handlers/consume.handler". */
  handler: string;
  /** AWS::Lambda::Function Runtime; the framework's default, nodejs24.x, when unset. */
  runtime?: string;
  serviceDir: string;
  timeoutSeconds: number;
  memoryMegabytes: number;
  /** Unset: limited only by the (local) account. 0 stops every invocation, as on AWS. */
  reservedConcurrency?: number;
  environment: Record<string, string>;
  /** Each line a container writes to stdout or stderr. */
  onLog?: (line: string) => void;
}

export type InvocationResult =
  | { status: "succeeded"; payload: unknown }
  | { status: "failed"; error: FunctionError }
  | { status: "timed-out" }
  | { status: "throttled" };

export interface FunctionStats {
  name: string;
  reservedConcurrency: number | null;
  invocations: number;
  errors: number;
  timeouts: number;
  throttles: number;
  coldStarts: number;
  /** Of the last invocations (InvocationHistory keeps a bounded number); null before the first. */
  durationP50Ms: number | null;
  durationP95Ms: number | null;
  inFlight: number;
  peakConcurrency: number;
}

const CONTAINER_MODULE = new URL("./containerWorker.ts", import.meta.url);
const HANDLER_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

interface Container {
  worker: Worker;
  ready: Promise<void>;
  /** Names it in the console's invocations and log lines. */
  id?: number;
  /** The code generation it loaded; one older than the runtime's is discarded once free. */
  generation?: number;
}

/**
 * Runs one function's handler the way Lambda does: each concurrent invocation gets its own
 * execution environment (a worker thread), environments are reused while warm, an invocation
 * past the function timeout is killed with its environment, and invocations beyond the reserved
 * concurrency are throttled rather than queued.
 */
export class FunctionRuntime {
  readonly #settings: FunctionSettings;
  readonly #containerSettings: ContainerSettings;
  readonly #idle: Container[] = [];
  readonly #busy = new Set<Container>();
  #nextInvocationId = 1;
  #nextContainerId = 1;
  /** Recent invocations, log lines and durations, for the local console. */
  readonly history: InvocationHistory;
  readonly #stats: Omit<FunctionStats, "inFlight" | "name" | "reservedConcurrency" | "durationP50Ms" | "durationP95Ms"> = {
    invocations: 0,
    errors: 0,
    timeouts: 0,
    throttles: 0,
    coldStarts: 0,
    peakConcurrency: 0,
  };

  constructor(settings: FunctionSettings) {
    this.#settings = settings;
    this.history = new InvocationHistory(settings.name);
    const [modulePath, exportName] = resolveHandler(settings.handler, settings.serviceDir);
    this.#containerSettings = {
      modulePath,
      exportName,
      packageRoot: resolve(settings.serviceDir),
      functionName: settings.name,
      functionArn: settings.arn,
      memoryMegabytes: settings.memoryMegabytes,
      runtime: nodeRuntimeRules(settings.runtime ?? "nodejs24.x", settings.name),
    };
  }

  /** Its timeout, as the template sets it (or 900 under a debugger): what Lambda's timeout error names. */
  get timeoutSeconds(): number {
    return this.#settings.timeoutSeconds;
  }

  get name(): string {
    return this.#settings.name;
  }

  get settings(): Readonly<FunctionSettings> {
    return this.#settings;
  }

  get stats(): FunctionStats {
    return {
      name: this.#settings.name,
      reservedConcurrency: this.#settings.reservedConcurrency ?? null,
      ...this.#stats,
      ...this.history.durationPercentiles(),
      inFlight: this.#busy.size,
    };
  }

  /** True when one more invocation would be throttled. */
  get atConcurrencyLimit(): boolean {
    return this.#busy.size >= (this.#settings.reservedConcurrency ?? ACCOUNT_CONCURRENCY);
  }

  /**
   * `traced.requestId` names the API request an invocation served when its event does not (a
   * TOKEN authorizer's), so the console's trace finds it.
   */
  async invoke(event: unknown, traced: { requestId?: string } = {}): Promise<InvocationResult> {
    if (this.atConcurrencyLimit) {
      this.#stats.throttles += 1;
      return { status: "throttled" };
    }
    const warm = this.#idle.pop();
    const container = warm ?? this.#startContainer();
    this.#busy.add(container);
    this.#stats.invocations += 1;
    this.#stats.peakConcurrency = Math.max(this.#stats.peakConcurrency, this.#busy.size);
    try {
      const entry = this.history.begin(this.#stats.invocations, container.id ?? 0, !warm, event, traced.requestId);
      const result = await this.#run(container, event);
      this.history.finish(entry, result);
      if (result.status === "failed" || result.status === "timed-out") {
        this.#stats.errors += 1;
        if (result.status === "timed-out") this.#stats.timeouts += 1;
        this.#settings.onLog?.(invokeErrorLine(result, entry, this.#settings.timeoutSeconds));
      }
      return result;
    } finally {
      this.#busy.delete(container);
    }
  }

  async stop(): Promise<void> {
    const containers = [...this.#idle, ...this.#busy];
    this.#idle.length = 0;
    this.#busy.clear();
    await Promise.all(containers.map(({ worker }) => worker.terminate()));
  }

  async #run(container: Container, event: unknown): Promise<InvocationResult> {
    const timeoutMs = this.#settings.timeoutSeconds * 1_000;
    const deadline = Date.now() + timeoutMs;
    const invocationId = this.#nextInvocationId++;
    let timer: NodeJS.Timeout | undefined;
    let onMessage: ((reply: InvocationReply) => void) | undefined;
    let onError: ((error: Error) => void) | undefined;
    try {
      // The cold start counts against the timeout, as on AWS.
      const outcome = await Promise.race([
        container.ready.then(
          () =>
            new Promise<InvocationResult>((resolve) => {
              onMessage = (reply) => {
                if (reply.invocationId !== invocationId) return;
                resolve(reply.ok ? { status: "succeeded", payload: JSON.parse(reply.payload) } : { status: "failed", error: reply.error });
              };
              onError = (error) => resolve({ status: "failed", error: runtimeError(error) });
              container.worker.on("message", onMessage);
              container.worker.once("error", onError);
              // As JSON text, as Lambda's runtime API hands the event over (what is not JSON does
              // not reach a handler on AWS either); a 10-record event serialises in about half the
              // time of a structured clone, and the parsing happens on the container's thread.
              container.worker.postMessage({ invocationId, event: JSON.stringify(event), deadline });
            }),
          (error: Error) => ({ status: "failed", error: runtimeError(error) }) as const,
        ),
        new Promise<InvocationResult>((resolve) => {
          timer = setTimeout(() => resolve({ status: "timed-out" }), timeoutMs);
        }),
      ]);
      const current = (container.generation ?? 0) === this.#codeGeneration;
      if (current && (outcome.status === "succeeded" || (outcome.status === "failed" && !outcome.error.errorType.startsWith("Runtime.")))) {
        this.#idle.push(container);
      } else {
        // A timed-out or crashed environment, or one whose code was replaced, is discarded; the next
        // invocation starts a fresh one.
        void container.worker.terminate();
      }
      return outcome;
    } finally {
      clearTimeout(timer);
      if (onMessage) container.worker.off("message", onMessage);
      if (onError) container.worker.off("error", onError);
    }
  }

  #startContainer(): Container {
    this.#stats.coldStarts += 1;
    const worker = startStrippedWorker(CONTAINER_MODULE, this.#strippedSources(), {
      workerData: this.#containerSettings,
      env: this.#settings.environment,
      // memorySize caps a container's heap, as Lambda caps its memory; a small young generation
      // keeps the footprint of several warm containers low without slowing small batches.
      resourceLimits: { maxOldGenerationSizeMb: this.#settings.memoryMegabytes, maxYoungGenerationSizeMb: 8 },
      stdout: true,
      stderr: true,
    });
    const id = this.#nextContainerId++;
    worker.once("exit", () => this.history.forgetContainer(id));
    for (const stream of [worker.stdout, worker.stderr]) {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const lines = (pending + chunk).split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
          this.history.log(id, line);
          this.#settings.onLog?.(line);
        }
      });
    }
    const ready = new Promise<void>((resolve, reject) => {
      worker.once("message", () => resolve());
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the container exited with code ${code} during init`)));
    });
    ready.catch(() => {});
    return { worker, ready, generation: this.#codeGeneration, id };
  }

  #codeGeneration = 0;
  #sources: { generation: number; sources: Promise<Map<string, string>> } | undefined;

  /** The containers' modules (the container's own and the handler's) without their types, taken once per code generation. */
  #strippedSources(): Promise<Map<string, string>> {
    if (this.#sources?.generation !== this.#codeGeneration) {
      const sources = strippedSources([fileURLToPath(CONTAINER_MODULE), this.#containerSettings.modulePath], this.#settings.serviceDir);
      this.#sources = { generation: this.#codeGeneration, sources };
    }
    return this.#sources.sources;
  }

  /** The handler's module file, the entry of the code a container loads. */
  get modulePath(): string {
    return this.#containerSettings.modulePath;
  }

  /**
   * New code for the next invocation: warm idle containers are ended, and busy ones finish their
   * invocation on the code they loaded and are then discarded, so nothing runs a mix of old and new.
   */
  replaceContainers(): void {
    this.#codeGeneration += 1;
    for (const { worker } of this.#idle.splice(0)) void worker.terminate();
  }
}

function runtimeError(error: Error): FunctionError {
  return {
    // An error the container's runtime raised itself (Runtime.CallbackHandlerDeprecated) keeps its type.
    errorType: error.name.startsWith("Runtime.") ? error.name : `Runtime.${error.name === "Error" ? "ExitError" : error.name}`,
    errorMessage: error.message,
    stack: (error.stack ?? "").split("\n"),
  };
}

/** "src/handlers/consume.handler" -> [<serviceDir>/src/handlers/consume.ts, "handler"]. */
function resolveHandler(handler: string, serviceDir: string): [string, string] {
  const separator = handler.lastIndexOf(".");
  const modulePath = handler.slice(0, separator);
  const exportName = handler.slice(separator + 1);
  for (const extension of HANDLER_EXTENSIONS) {
    const candidate = join(serviceDir, modulePath + extension);
    if (existsSync(candidate)) return [candidate, exportName];
  }
  throw new LocalAwsError(
    `handler "${handler}": no ${modulePath}{${HANDLER_EXTENSIONS.join(",")}} in ${serviceDir}`,
  );
}
