import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { resolve } from "node:path";
import { noteSentMessage, startHttpApi, type ApiRoute } from "./apigateway/httpApi.ts";
import { serveApiKeyEndpoint } from "./apigateway/apiKeyEndpoint.ts";
import { cognitoAuthorizer } from "./apigateway/cognitoAuthorizer.ts";
import { lambdaProxyRoute } from "./apigateway/lambdaProxyRoute.ts";
import { guardedRoute } from "./apigateway/methodAccess.ts";
import { UsagePlans } from "./apigateway/usagePlans.ts";
import { readAccessModel } from "./cloudformation/accessModel.ts";
import { serveTokenEndpoint } from "./cognito/tokenEndpoint.ts";
import { LocalUserPool } from "./cognito/userPool.ts";
import { mockIntegrationRoute } from "./apigateway/mockIntegrationRoute.ts";
import { sqsIntegrationRoute } from "./apigateway/sqsIntegrationRoute.ts";
import type { AwsCredentials, StartedBackend } from "./backends/backend.ts";
import { resolveIntrinsics, resolveString } from "./cloudformation/intrinsics.ts";
import { packageServiceCached } from "./cloudformation/packageCache.ts";
import { packageService, type PackagedService } from "./cloudformation/packageService.ts";
import { ResourceRegistry } from "./cloudformation/resourceRegistry.ts";
import { readServiceModel, type FunctionDefinition, type ServiceModel } from "./cloudformation/serviceModel.ts";
import { LocalAwsError } from "./errors.ts";
import { configurationWarnings } from "./lambda/configurationWarnings.ts";
import { EventSourceRunner } from "./lambda/eventSourceRunner.ts";
import { FunctionRuntime } from "./lambda/functionRuntime.ts";
import { watchHandlers, type CodeReload } from "./lambda/handlerWatcher.ts";
import { localConsole } from "./console/consoleServer.ts";
import { pipelineMapOf, type PipelineMap } from "./console/pipelineSampler.ts";
import type { StoredRecordLookup } from "./console/trace.ts";
import { localStatus, type LocalStatus, type StatusHooks } from "./localStatus.ts";
import { provisionBuckets } from "./s3/provisionBuckets.ts";
import { provisionQueues, type ProvisionedQueue } from "./sqs/provisionQueues.ts";
import { queueSender } from "./sqs/queueSender.ts";
import { SqsJsonClient } from "./sqs/sqsJsonClient.ts";

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
  /** The event sources' idle scale-down and long poll (see lambda/eventSourceRunner.ts); tests shorten them. */
  eventSourceTiming?: import("./lambda/eventSourceRunner.ts").EventSourceTiming;
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
  awsEndpoint: string;
  region: string;
  accountId: string;
  credentials: AwsCredentials;
  /** What an SDK v3 client needs to reach this stack's SQS or S3: `new SQSClient(stack.clientConfig)`. */
  clientConfig: { endpoint: string; region: string; credentials: AwsCredentials };
  stage: string;
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

/** What one compiled template runs: rebuilt by reapply, while the API server and backend stay. */
interface Deployment {
  service: string;
  model: ServiceModel;
  warnings: string[];
  queues: ProvisionedQueue[];
  buckets: string[];
  functions: FunctionRuntime[];
  /** What each function runs with; a function whose settings are unchanged keeps its containers. */
  functionSettings: Map<FunctionRuntime, string>;
  runners: EventSourceRunner[];
  routes: ApiRoute[];
  /** What the console draws: each route and what it reaches. */
  pipeline: PipelineMap;
}

/**
 * Brings serverless.yml up on a started backend: packages the service, creates its queues and
 * buckets, and runs its functions, event sources and API from the compiled template. The handlers
 * are the files that deploy; nothing in them knows they run locally.
 *
 * @example
 * const stack = await startLocalAws({ backend: await embeddedBackend(ports).start(), serviceDir: "." });
 * await fetch(`${stack.apiUrl}/items`, { method: "POST", body: "{}" });
 * await stack.stop();
 */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const { backend } = options;
  const step = options.onStep ?? (() => {});
  const packaged = await packageFor(options, step);
  const { region, stage } = packaged;
  const { accountId, credentials } = backend;
  const clientConfig = { endpoint: backend.awsEndpoint, region, credentials };
  const sqs = new SQSClient(clientConfig);
  // Each message's send, receive and delete go through the lean client; everything else through the SDK's.
  const messages = new SqsJsonClient(clientConfig);
  const access = await startAccess(packaged, options);
  let current = await deploy(packaged, { options, sqs, messages, step, access });

  const status = () =>
    localStatus(
      { stage, awsEndpoint: backend.awsEndpoint, region, credentials, buckets: current.buckets },
      sqs,
      current.queues,
      current.functions,
      current.runners,
      options.appHooks,
    );
  // Getters: after a reapply the console reads the new deployment.
  const consolePage = localConsole({
    get pipeline() {
      return current.pipeline;
    },
    status,
    sqs,
    get queues() {
      return current.queues;
    },
    get functions() {
      return current.functions;
    },
    requests: () => api.requests,
    ...(options.appHooks?.findStored && { findStored: options.appHooks.findStored }),
  });
  step("starting the API");
  const api = await startHttpApi({
    port: options.apiPort ?? 3000,
    routes: current.routes,
    gatewayResponses: current.model.gatewayResponses,
    localEndpoints: { "/_local/status": status },
    localHandler: async (request, response, url) =>
      (await serveTokenEndpoint(access.userPools, request, response, url)) ||
      (await serveApiKeyEndpoint(access.usagePlans, request, response, url)) ||
      consolePage.handle(request, response, url),
  });
  for (const runner of current.runners) runner.start();

  let watcher: { close(): Promise<void> } | undefined;
  const watchCurrent = async () => {
    if (!options.watch) return;
    const { onReload, onConfigChange } = options.watch;
    watcher = await watchHandlers({
      serviceDir: options.serviceDir,
      functions: current.functions,
      configFiles: [configPathOf(options)],
      onReload,
      onConfigChange: () => void stack.reapply().then((change) => onConfigChange?.(change)),
    });
  };

  // One reapply at a time: an editor's save can come as several events.
  let reapplying: Promise<ConfigChange> = Promise.resolve({ applied: true, changes: [], warnings: [] });
  const reapply = async (): Promise<ConfigChange> => {
    const next = await packageFor(options, step)
      .then((repackaged) => {
        const moved = (["service", "stage", "region"] as const).filter((key) => repackaged[key] !== (key === "service" ? current.service : packaged[key]));
        if (moved.length > 0) throw new LocalAwsError(`its ${moved.join(" and ")} changed, which cannot change in place: restart to apply it`);
        return deploy(repackaged, { options, sqs, messages, step, access, previous: current });
      })
      .catch((error: Error) => error);
    if (next instanceof Error) return { applied: false, reason: next.message };
    const changes = changesBetween(current, next);
    // Batches in flight finish on the old wiring; the new pollers start once they have.
    await Promise.all(current.runners.map((runner) => runner.stop()));
    api.setRoutes(next.routes);
    // A replaced function's idle containers end now, its busy ones once their invocation returns.
    for (const runtime of current.functions) if (!next.functions.includes(runtime)) runtime.replaceContainers();
    current = next;
    for (const runner of current.runners) runner.start();
    await watcher?.close();
    await watchCurrent();
    return { applied: true, changes, warnings: current.warnings };
  };

  const stack: LocalAws = {
    apiUrl: api.url,
    get routes() {
      return current.routes.map(({ method, path }) => ({ method, path }));
    },
    awsEndpoint: backend.awsEndpoint,
    region,
    accountId,
    credentials,
    clientConfig,
    stage,
    get queues() {
      return current.queues;
    },
    get buckets() {
      return current.buckets;
    },
    get functions() {
      return current.functions;
    },
    get warnings() {
      return current.warnings;
    },
    userPools: access.userPools,
    usagePlans: access.usagePlans,
    status,
    reapply() {
      reapplying = reapplying.then(reapply, reapply);
      return reapplying;
    },
    async stop() {
      consolePage.stop();
      await watcher?.close();
      await api.close();
      await Promise.all(current.runners.map((runner) => runner.stop()));
      await Promise.all(current.functions.map((runtime) => runtime.stop()));
      sqs.destroy();
      messages.destroy();
    },
  };
  await watchCurrent();
  return stack;
}

function configPathOf(options: LocalAwsOptions): string {
  return resolve(options.serviceDir, options.configFile ?? "serverless.yml");
}

/** Who may call the API: kept from the start across reapplies, so tokens and keys handed out stay valid. */
interface StackAccess {
  userPools: LocalUserPool[];
  usagePlans: UsagePlans;
}

/** The template's user pools (their keys and clients) and API keys, kept in options.stateDir when given. */
async function startAccess(packaged: PackagedService, options: LocalAwsOptions): Promise<StackAccess> {
  const access = readAccessModel(packaged.template);
  const kept = options.stateDir === undefined ? {} : { stateDir: options.stateDir };
  const stackName = `${packaged.service}-${packaged.stage}`;
  const userPools = await Promise.all(
    access.userPools.map((pool) => LocalUserPool.start(pool, { region: packaged.region, accountId: options.backend.accountId, stackName, ...kept })),
  );
  return { userPools, usagePlans: await UsagePlans.start(access.usagePlans, access.apiKeys, kept) };
}

async function packageFor(options: LocalAwsOptions, step: (step: string) => void): Promise<PackagedService> {
  const packageOptions = { configPath: configPathOf(options), stage: options.stage ?? "local", params: options.params ?? {} };
  if (options.packageCacheDir === undefined) {
    step("packaging serverless.yml");
    return packageService(packageOptions);
  }
  return packageServiceCached(packageOptions, options.packageCacheDir, (reused) =>
    step(reused ? "serverless.yml unchanged since the last start: reusing its package" : "packaging serverless.yml"),
  );
}

/**
 * Creates what a compiled template declares and builds what runs it. Creating is idempotent (a
 * queue or bucket that exists keeps its messages or objects), so the same code serves a start and
 * a reapply; a function whose settings did not change keeps its runtime and warm containers.
 */
async function deploy(
  packaged: PackagedService,
  {
    options,
    sqs,
    messages,
    step,
    access,
    previous,
  }: { options: LocalAwsOptions; sqs: SQSClient; messages: SqsJsonClient; step: (step: string) => void; access: StackAccess; previous?: Deployment },
): Promise<Deployment> {
  const { backend, serviceDir } = options;
  const model = readServiceModel(packaged.template);
  const warnings = configurationWarnings(model);
  const { region, stage } = packaged;
  const { accountId } = backend;
  const registry = new ResourceRegistry({ accountId, region, stackName: `${packaged.service}-${stage}` });

  step("creating queues");
  const queues = await provisionQueues(sqs, model.queues, registry);
  if (model.buckets.length > 0) step("creating buckets");
  // Buckets by path: an emulator's host name need not resolve subdomains. The functions' own
  // clients get the same from the backends, whose endpoints are IP addresses.
  const s3 = new S3Client({ endpoint: backend.awsEndpoint, region, credentials: backend.credentials, forcePathStyle: true });
  const buckets = await provisionBuckets(s3, model.buckets, registry).finally(() => s3.destroy());
  for (const fn of model.functions) {
    registry.register(fn.logicalId, { ref: fn.name, attributes: { Arn: `arn:aws:lambda:${region}:${accountId}:function:${fn.name}` } });
  }
  for (const pool of access.userPools) {
    registry.register(pool.logicalId, {
      ref: pool.poolId,
      attributes: { Arn: pool.arn, ProviderName: pool.issuer.replace("https://", ""), ProviderURL: pool.issuer, UserPoolId: pool.poolId },
    });
  }
  const methodAccess = {
    authorizers: new Map(
      [...readAccessModel(packaged.template).authorizers].map(([logicalId, authorizer]) => [logicalId, cognitoAuthorizer(authorizer, access.userPools)]),
    ),
    usagePlans: access.usagePlans,
    gatewayResponses: model.gatewayResponses,
  };

  const environments = new Map(model.functions.map((fn) => [fn.logicalId, functionEnvironment(fn, registry, backend)]));
  await options.beforeFunctionsStart?.(model.functions.map((fn) => ({ name: fn.name, environment: environments.get(fn.logicalId)! })));

  const functionSettings = new Map<FunctionRuntime, string>();
  const functions = model.functions.map((fn) => {
    const settings = {
      name: fn.name,
      arn: registry.attributeOf(fn.logicalId, "Arn"),
      handler: fn.handler,
      serviceDir,
      timeoutSeconds: options.debugging ? 900 : fn.timeoutSeconds,
      memoryMegabytes: fn.memoryMegabytes,
      ...(fn.reservedConcurrency !== undefined && { reservedConcurrency: fn.reservedConcurrency }),
      environment: environments.get(fn.logicalId)!,
    };
    const fingerprint = JSON.stringify(settings);
    const unchanged = previous?.functions.find((runtime) => previous.functionSettings.get(runtime) === fingerprint);
    const runtime = unchanged ?? new FunctionRuntime({ ...settings, onLog: (line) => options.onLog?.(fn.name, line) });
    functionSettings.set(runtime, fingerprint);
    return runtime;
  });
  const runtimeOf = (logicalId: string) => functions[model.functions.findIndex((fn) => fn.logicalId === logicalId)]!;
  const queueOf = (logicalId: string) => {
    const queue = queues.find((candidate) => candidate.logicalId === logicalId);
    if (!queue) throw new LocalAwsError(`an event source reads ${logicalId}, which is not an SQS queue of this service`);
    return queue;
  };

  const runners = model.eventSourceMappings
    .filter((mapping) => mapping.enabled)
    .map(
      (mapping) =>
        new EventSourceRunner({
          sqs: messages,
          queue: queueOf(mapping.queueLogicalId),
          target: runtimeOf(mapping.functionLogicalId),
          region,
          accountId,
          batchSize: mapping.batchSize,
          maximumBatchingWindowSeconds: mapping.maximumBatchingWindowSeconds,
          reportBatchItemFailures: mapping.reportBatchItemFailures,
          ...(mapping.maximumConcurrency !== undefined && { maximumConcurrency: mapping.maximumConcurrency }),
          ...(mapping.provisionedPollers && { provisionedPollers: mapping.provisionedPollers }),
          ...(options.eventSourceTiming && { timing: options.eventSourceTiming }),
        }),
    );

  const routes: ApiRoute[] = model.routes.map((route) => {
    if (route.kind === "lambda-proxy") {
      return {
        method: route.method,
        path: route.path,
        handle: lambdaProxyRoute(route, runtimeOf(route.functionLogicalId), { stage, accountId, gatewayResponses: model.gatewayResponses }),
      };
    }
    if (route.kind === "mock") {
      return { method: route.method, path: route.path, handle: mockIntegrationRoute(route, { gatewayResponses: model.gatewayResponses, stage }) };
    }
    const queueName = resolveString(route.uri, registry).split("/").at(-1);
    const queue = queues.find((candidate) => candidate.name === queueName);
    if (!queue) throw new LocalAwsError(`${route.method} ${route.path} sends to ${queueName}, which is not a queue of this service`);
    return {
      method: route.method,
      path: route.path,
      handle: sqsIntegrationRoute(route, { send: tracedSender(queueSender(messages, queue.url)), gatewayResponses: model.gatewayResponses, stage }),
    };
    // Each method behind its authorizer and API key, as the template declares them.
  }).map((route, index) => ({ ...route, handle: guardedRoute(model.routes[index]!, route.handle, methodAccess) }));
  const pipeline = pipelineMapOf(model, registry);
  return { service: packaged.service, model, warnings, queues, buckets, functions, functionSettings, runners, routes, pipeline };
}

/** What a reapply changed, in words for the console: "queue shop-local-orders created". */
function changesBetween(before: Deployment, after: Deployment): string[] {
  const added = <T>(items: T[], others: T[], key: (item: T) => string) => items.filter((item) => !others.some((other) => key(other) === key(item)));
  const routeKey = (route: ApiRoute) => `${route.method} ${route.path}`;
  return [
    ...added(after.queues, before.queues, (queue) => queue.name).map((queue) => `queue ${queue.name} created`),
    ...added(before.queues, after.queues, (queue) => queue.name).map((queue) => `queue ${queue.name} no longer in serverless.yml (kept, with its messages)`),
    ...added(after.buckets, before.buckets, (bucket) => bucket).map((bucket) => `bucket ${bucket} created`),
    ...added(after.routes, before.routes, routeKey).map((route) => `route ${routeKey(route)} added`),
    ...added(before.routes, after.routes, routeKey).map((route) => `route ${routeKey(route)} removed`),
    ...after.functions.filter((runtime) => !before.functions.includes(runtime)).map((runtime) => `function ${runtime.name} (re)configured`),
    ...added(before.functions, after.functions, (runtime) => runtime.name).map((runtime) => `function ${runtime.name} removed`),
    `${after.runners.length} event source${after.runners.length === 1 ? "" : "s"} wired`,
  ];
}

/**
 * The function's environment as on AWS (intrinsics resolved; what the service reads from stage
 * params came in through them), plus what the Lambda runtime sets, with the SDK pointed at the
 * local endpoint through AWS_ENDPOINT_URL.
 */
function functionEnvironment(fn: FunctionDefinition, registry: ResourceRegistry, backend: StartedBackend): Record<string, string> {
  const resolved = resolveIntrinsics(fn.environment, registry) as Record<string, unknown>;
  return {
    ...Object.fromEntries(Object.entries(resolved).map(([name, value]) => [name, String(value)])),
    PATH: process.env.PATH ?? "",
    TZ: "UTC",
    AWS_REGION: registry.region,
    AWS_DEFAULT_REGION: registry.region,
    AWS_ACCESS_KEY_ID: backend.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: backend.credentials.secretAccessKey,
    AWS_ENDPOINT_URL: backend.awsEndpoint,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMegabytes),
    ...(process.env.POWERTOOLS_LOG_LEVEL && { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL }),
  };
}

/** A queue sender that notes each message on the API request that sent it, for the console's trace. */
function tracedSender<Message, Sent extends { MessageId: string }>(send: (message: Message) => Promise<Sent>) {
  return async (message: Message) => {
    const sent = await send(message);
    noteSentMessage(sent.MessageId);
    return sent;
  };
}
