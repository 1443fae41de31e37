import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { resolve } from "node:path";
import { noteSentMessage, startHttpApi, type ApiRoute } from "./apigateway/httpApi.ts";
import { lambdaProxyRoute } from "./apigateway/lambdaProxyRoute.ts";
import { mockIntegrationRoute } from "./apigateway/mockIntegrationRoute.ts";
import { sqsIntegrationRoute } from "./apigateway/sqsIntegrationRoute.ts";
import type { AwsCredentials, StartedBackend } from "./backends/backend.ts";
import { resolveIntrinsics, resolveString } from "./cloudformation/intrinsics.ts";
import { packageServiceCached } from "./cloudformation/packageCache.ts";
import { packageService, type PackagedService } from "./cloudformation/packageService.ts";
import { ResourceRegistry } from "./cloudformation/resourceRegistry.ts";
import { readServiceModel, type FunctionDefinition } from "./cloudformation/serviceModel.ts";
import { LocalAwsError } from "./errors.ts";
import { configurationWarnings } from "./lambda/configurationWarnings.ts";
import { EventSourceRunner } from "./lambda/eventSourceRunner.ts";
import { FunctionRuntime } from "./lambda/functionRuntime.ts";
import { watchHandlers, type CodeReload } from "./lambda/handlerWatcher.ts";
import { localConsole } from "./console/consoleServer.ts";
import { pipelineMapOf } from "./console/pipelineSampler.ts";
import type { StoredRecordLookup } from "./console/trace.ts";
import { localStatus, type LocalStatus, type StatusHooks } from "./localStatus.ts";
import { provisionBuckets } from "./s3/provisionBuckets.ts";
import { provisionQueues, type ProvisionedQueue } from "./sqs/provisionQueues.ts";
import { queueSender } from "./sqs/queueSender.ts";

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
   * function's warm containers (see lambda/handlerWatcher.ts); a saved serverless.yml is reported,
   * for the caller to say what applying it takes.
   */
  watch?: { onReload: (reload: CodeReload) => void; onConfigChange?: (file: string) => void };
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
  status(): Promise<LocalStatus>;
  stop(): Promise<void>;
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
  const { backend, serviceDir } = options;
  const step = options.onStep ?? (() => {});
  const packageOptions = {
    configPath: resolve(serviceDir, options.configFile ?? "serverless.yml"),
    stage: options.stage ?? "local",
    params: options.params ?? {},
  };
  let packaged: PackagedService;
  if (options.packageCacheDir === undefined) {
    step("packaging serverless.yml");
    packaged = await packageService(packageOptions);
  } else {
    packaged = await packageServiceCached(packageOptions, options.packageCacheDir, (reused) =>
      step(reused ? "serverless.yml unchanged since the last start: reusing its package" : "packaging serverless.yml"),
    );
  }
  const model = readServiceModel(packaged.template);
  const warnings = configurationWarnings(model);
  const { region, stage } = packaged;
  const { accountId, credentials } = backend;
  const clientConfig = { endpoint: backend.awsEndpoint, region, credentials };
  const registry = new ResourceRegistry({ accountId, region, stackName: `${packaged.service}-${stage}` });

  const sqs = new SQSClient(clientConfig);
  step("creating queues");
  const queues = await provisionQueues(sqs, model.queues, registry);
  if (model.buckets.length > 0) step("creating buckets");
  // Buckets by path: an emulator's host name need not resolve subdomains. The functions' own
  // clients get the same from the backends, whose endpoints are IP addresses.
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const buckets = await provisionBuckets(s3, model.buckets, registry).finally(() => s3.destroy());
  for (const fn of model.functions) {
    registry.register(fn.logicalId, { ref: fn.name, attributes: { Arn: `arn:aws:lambda:${region}:${accountId}:function:${fn.name}` } });
  }

  const environments = new Map(model.functions.map((fn) => [fn.logicalId, functionEnvironment(fn, registry, backend)]));
  await options.beforeFunctionsStart?.(model.functions.map((fn) => ({ name: fn.name, environment: environments.get(fn.logicalId)! })));

  const functions = model.functions.map(
    (fn) =>
      new FunctionRuntime({
        name: fn.name,
        arn: registry.attributeOf(fn.logicalId, "Arn"),
        handler: fn.handler,
        serviceDir,
        timeoutSeconds: options.debugging ? 900 : fn.timeoutSeconds,
        memoryMegabytes: fn.memoryMegabytes,
        ...(fn.reservedConcurrency !== undefined && { reservedConcurrency: fn.reservedConcurrency }),
        environment: environments.get(fn.logicalId)!,
        onLog: (line) => options.onLog?.(fn.name, line),
      }),
  );
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
          sqs,
          queue: queueOf(mapping.queueLogicalId),
          target: runtimeOf(mapping.functionLogicalId),
          region,
          accountId,
          batchSize: mapping.batchSize,
          maximumBatchingWindowSeconds: mapping.maximumBatchingWindowSeconds,
          reportBatchItemFailures: mapping.reportBatchItemFailures,
          ...(mapping.maximumConcurrency !== undefined && { maximumConcurrency: mapping.maximumConcurrency }),
          ...(mapping.provisionedPollers && { provisionedPollers: mapping.provisionedPollers }), ...(options.eventSourceTiming && { timing: options.eventSourceTiming }),
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
      handle: sqsIntegrationRoute(route, { send: tracedSender(queueSender(sqs, queue.url)), gatewayResponses: model.gatewayResponses, stage }),
    };
  });

  const status = () =>
    localStatus({ stage, awsEndpoint: backend.awsEndpoint, region, credentials, buckets }, sqs, queues, functions, runners, options.appHooks);
  const consolePage = localConsole({
    pipeline: pipelineMapOf(model, registry),
    status,
    sqs,
    queues,
    functions,
    requests: () => api.requests,
    ...(options.appHooks?.findStored && { findStored: options.appHooks.findStored }),
  });
  step("starting the API");
  const api = await startHttpApi({
    port: options.apiPort ?? 3000,
    routes,
    gatewayResponses: model.gatewayResponses,
    localEndpoints: { "/_local/status": status },
    localHandler: (request, response, url) => consolePage.handle(request, response, url),
  });
  for (const runner of runners) runner.start();
  const watcher = options.watch && (await watchHandlers({
    serviceDir,
    functions,
    configFiles: [resolve(serviceDir, options.configFile ?? "serverless.yml")],
    ...options.watch,
  }));

  return {
    apiUrl: api.url,
    routes: routes.map(({ method, path }) => ({ method, path })),
    awsEndpoint: backend.awsEndpoint,
    region,
    accountId,
    credentials,
    clientConfig,
    stage,
    queues,
    buckets,
    functions,
    warnings,
    status,
    async stop() {
      consolePage.stop();
      await watcher?.close();
      await api.close();
      await Promise.all(runners.map((runner) => runner.stop()));
      await Promise.all(functions.map((runtime) => runtime.stop()));
      sqs.destroy();
    },
  };
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
