import type { AwsCredentials, StartedBackend } from "../backends/backend.ts";
import type { UsagePlans } from "../apigateway/usagePlans.ts";
import type { LocalUserPool } from "../cognito/userPool.ts";
import type { StoredRecordLookup } from "../console/trace.ts";
import type { LocalStatus, StatusHooks } from "../console/localStatus.ts";
import type { EventSourceTiming } from "../lambda/eventSourceMapping/eventSourceRunner.ts";
import type { FunctionRuntime } from "../lambda/functionRuntime.ts";
import type { CodeReload } from "../lambda/handlerWatcher.ts";
import type { ProvisionedQueue } from "../sqs/provisionQueues.ts";

/** A function as it will run: its name and its environment, intrinsics resolved. */
export interface PreparedFunction {
  name: string;
  environment: Readonly<Record<string, string>>;
}

/** How to bring one serverless.yml up; the started stack is a LocalAws. */
export interface LocalAwsOptions {
  backend: StartedBackend;
  serviceDir: string;
  /** Relative to serviceDir; another file lets a suite try a variant of serverless.yml. */
  configFile?: string;
  /** Also isolates: resource names usually follow the stage. Default "local". */
  stage?: string;
  /** Stage params, passed to `serverless package` as `--param name=value`, as a deploy would. */
  params?: Record<string, string>;
  /**
   * Runs once the queues and buckets exist and before any function or route starts: where the
   * application prepares what its functions expect (create and migrate a database, seed data).
   */
  beforeFunctionsStart?: (functions: readonly PreparedFunction[]) => Promise<void>;
  /** 0 picks a free port. Default 3000. */
  apiPort?: number;
  /** The HTTP API's own port (httpApi events); 0 picks a free one. Default apiPort + 1, or free when apiPort is 0. */
  httpApiPort?: number;
  /** Every line a function writes, with the function's name. */
  onLog?: (functionName: string, line: string) => void;
  onStep?: (step: string) => void;
  /**
   * What only the app knows, for the status and the console at /_local/: connections in use on
   * its database, and the stored record a traced request became.
   */
  appHooks?: StatusHooks & { findStored?: StoredRecordLookup };
  /**
   * Watch the service's files: a saved change to a handler or anything it imports replaces that
   * function's warm containers (see lambda/handlerWatcher.ts); a saved serverless.yml is applied
   * in place (see LocalAws.reapply) and the outcome reported.
   */
  watch?: { onReload: (reload: CodeReload) => void; onConfigChange?: (change: ConfigChange) => void };
  /**
   * Where the stack keeps what must outlive a restart: its user pools' signing keys and app
   * clients, its API keys. Without one they live in memory, and tokens die with the process.
   */
  stateDir?: string;
  /** Remember the compiled template here and reuse it while serverless.yml is unchanged (see cloudformation/packageCache.ts). */
  packageCacheDir?: string;
  /** The event sources' idle scale-down and long poll (see lambda/eventSourceMapping/eventSourceRunner.ts); tests shorten them. */
  eventSourceTiming?: EventSourceTiming;
  /**
   * A debugger is attached: functions get Lambda's longest timeout (15 minutes) instead of their
   * own, so that one paused at a breakpoint is not ended under the developer's eyes.
   */
  debugging?: boolean;
}

/** A running local AWS: where it answers, what it created, and how to stop it. */
export interface LocalAws {
  apiUrl: string;
  /** The API's routes, as serverless.yml declares them: "/items/{itemId}". */
  routes: Array<{ method: string; path: string }>;
  /** Where the HTTP API answers, on its own port as on AWS; undefined when the template has none. */
  httpApiUrl: string | undefined;
  /** The HTTP API's route keys: "GET /items/{id}", "$default". */
  httpApiRoutes: string[];
  awsEndpoint: string;
  region: string;
  accountId: string;
  credentials: AwsCredentials;
  /** What an SDK v3 client needs to reach this stack's SQS or S3: `new SQSClient(stack.clientConfig)`. */
  clientConfig: { endpoint: string; region: string; credentials: AwsCredentials };
  stage: string;
  /** The template's queues, and the existing ones its event sources read. */
  queues: ProvisionedQueue[];
  buckets: string[];
  functions: FunctionRuntime[];
  /** Settings AWS advises against, each naming the setting and the fix. */
  warnings: string[];
  /** The template's Cognito user pools: create app clients, issue tokens (see cognito/userPool.ts). */
  userPools: LocalUserPool[];
  /** The API's keys and usage plans: create a key per client (see apigateway/usagePlans.ts). */
  usagePlans: UsagePlans;
  status(): Promise<LocalStatus>;
  /**
   * Packages serverless.yml again and applies it while the backend keeps running with its data:
   * new queues and buckets are created, changed functions get new containers, event sources are
   * wired again and the API serves the new routes. What cannot change in place (the region, the
   * stage, the service name) is refused, and the running stack stays as it was.
   */
  reapply(): Promise<ConfigChange>;
  stop(): Promise<void>;
}

/** What applying a changed serverless.yml did, or why it could not. */
export type ConfigChange = { applied: true; changes: string[]; warnings: string[] } | { applied: false; reason: string };
