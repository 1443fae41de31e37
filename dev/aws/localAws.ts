import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { resolve } from "node:path";
import type { DatabaseConfig } from "../../src/config.ts";
import { startHttpApi, type ApiRoute } from "./apigateway/httpApi.ts";
import { lambdaProxyRoute } from "./apigateway/lambdaProxyRoute.ts";
import { queueSender } from "./sqs/queueSender.ts";
import { sqsIntegrationRoute } from "./apigateway/sqsIntegrationRoute.ts";
import type { StartedBackend } from "./backends/backend.ts";
import { prepareDatabase } from "../database.ts";
import { LocalAwsError } from "./errors.ts";
import { configurationWarnings } from "./lambda/configurationWarnings.ts";
import { EventSourceRunner } from "./lambda/eventSourceRunner.ts";
import { FunctionRuntime } from "./lambda/functionRuntime.ts";
import { localStatus, type LocalStatus } from "./localStatus.ts";
import { provisionBuckets } from "./s3/provisionBuckets.ts";
import { provisionQueues, type ProvisionedQueue } from "./sqs/provisionQueues.ts";
import { resolveIntrinsics, resolveString, type IntrinsicContext, type LocalResource } from "./cloudformation/intrinsics.ts";
import { packageService } from "./cloudformation/packageService.ts";
import { readServiceModel, type FunctionDefinition } from "./cloudformation/serviceModel.ts";

export interface LocalAwsOptions {
  backend: StartedBackend;
  serviceDir: string;
  /** Relative to serviceDir; another file lets a suite try a variant of serverless.yml. */
  configFile?: string;
  /** Also isolates: queue names and the database name follow the stage. */
  stage?: string;
  /** 0 picks a free port. */
  apiPort?: number;
  /** Every line a function writes, with the function's name. */
  onLog?: (functionName: string, line: string) => void;
  onStep?: (step: string) => void;
}

export interface LocalAws {
  apiUrl: string;
  /** The API's routes, as serverless.yml declares them: "/employees/{employeeId}/timesheet". */
  routes: Array<{ method: string; path: string }>;
  awsEndpoint: string;
  region: string;
  stage: string;
  /** The application database, as the functions connect to it. */
  database: DatabaseConfig;
  queues: ProvisionedQueue[];
  buckets: string[];
  functions: FunctionRuntime[];
  /** Settings AWS advises against, each naming the setting and the fix. */
  warnings: string[];
  status(): Promise<LocalStatus>;
  stop(): Promise<void>;
}

const LOCAL_ACCOUNT_ID = "000000000000";
const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/**
 * Brings serverless.yml up on a started backend: packages the service, creates its queues,
 * migrates its database, and runs its functions, event sources and API from the compiled
 * template. The handlers are the files that deploy; nothing in them knows they run locally.
 */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const { backend, serviceDir } = options;
  const step = options.onStep ?? (() => {});
  step("packaging serverless.yml");
  const packaged = await packageService({
    configPath: resolve(serviceDir, options.configFile ?? "serverless.yml"),
    stage: options.stage ?? "local",
    params: {
      // The local stack emulates no VPC: the functions reach the backend's database directly.
      databaseNetwork: "public",
      databaseHost: backend.database.host,
      databasePort: String(backend.database.port),
      databaseUser: backend.database.user,
      databasePassword: backend.database.password,
    },
  });
  const model = readServiceModel(packaged.template);
  const warnings = configurationWarnings(model);
  const { region, stage } = packaged;

  const sqs = new SQSClient({ endpoint: backend.awsEndpoint, region, credentials: LOCAL_CREDENTIALS });
  const context: IntrinsicContext & { resources: Map<string, LocalResource> } = {
    resources: new Map(),
    pseudoParameters: {
      "AWS::AccountId": LOCAL_ACCOUNT_ID,
      "AWS::Region": region,
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
      "AWS::StackName": `${packaged.service}-${stage}`,
    },
  };

  step("creating queues");
  const queues = await provisionQueues(sqs, model.queues, context);
  if (model.buckets.length > 0) step("creating buckets");
  // Buckets by path: an emulator's host name need not resolve subdomains. The functions' own
  // clients get the same from the backends, whose endpoints are IP addresses.
  const s3 = new S3Client({ endpoint: backend.awsEndpoint, region, credentials: LOCAL_CREDENTIALS, forcePathStyle: true });
  const buckets = await provisionBuckets(s3, model.buckets, context).finally(() => s3.destroy());
  for (const fn of model.functions) {
    context.resources.set(fn.logicalId, {
      ref: fn.name,
      attributes: { Arn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${fn.name}` },
    });
  }

  const environments = new Map(model.functions.map((fn) => [fn.logicalId, functionEnvironment(fn, context, backend, region)]));
  const databaseNames = new Set([...environments.values()].map((env) => env.PGDATABASE).filter((name) => name !== undefined));
  step(`migrating database ${[...databaseNames].join(", ")}`);
  for (const name of databaseNames) await prepareDatabase(backend.database, name);

  const functions = model.functions.map(
    (fn) =>
      new FunctionRuntime({
        name: fn.name,
        arn: context.resources.get(fn.logicalId)!.attributes.Arn!,
        handler: fn.handler,
        serviceDir,
        timeoutSeconds: fn.timeoutSeconds,
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
          batchSize: mapping.batchSize,
          maximumBatchingWindowSeconds: mapping.maximumBatchingWindowSeconds,
          reportBatchItemFailures: mapping.reportBatchItemFailures,
          ...(mapping.maximumConcurrency !== undefined && { maximumConcurrency: mapping.maximumConcurrency }),
        }),
    );

  const routes: ApiRoute[] = model.routes.map((route) => {
    if (route.kind === "lambda-proxy") {
      return { method: route.method, path: route.path, handle: lambdaProxyRoute(route, runtimeOf(route.functionLogicalId), stage) };
    }
    const queueName = resolveString(route.uri, context).split("/").at(-1);
    const queue = queues.find((candidate) => candidate.name === queueName);
    if (!queue) throw new LocalAwsError(`${route.method} ${route.path} sends to ${queueName}, which is not a queue of this service`);
    return {
      method: route.method,
      path: route.path,
      handle: sqsIntegrationRoute(route, { send: queueSender(sqs, queue.url), gatewayResponses: model.gatewayResponses, stage }),
    };
  });

  const status = () => localStatus({ stage, awsEndpoint: backend.awsEndpoint, region, buckets }, sqs, queues, functions, runners);
  step("starting the API");
  const api = await startHttpApi({
    port: options.apiPort ?? 3000,
    routes,
    gatewayResponses: model.gatewayResponses,
    localEndpoints: { "/_local/status": status },
  });
  for (const runner of runners) runner.start();

  const [firstDatabase] = databaseNames;
  return {
    apiUrl: api.url,
    routes: routes.map(({ method, path }) => ({ method, path })),
    awsEndpoint: backend.awsEndpoint,
    region,
    stage,
    database: { ...backend.database, database: firstDatabase ?? backend.database.database },
    queues,
    buckets,
    functions,
    warnings,
    status,
    async stop() {
      await api.close();
      await Promise.all(runners.map((runner) => runner.stop()));
      await Promise.all(functions.map((runtime) => runtime.stop()));
      sqs.destroy();
    },
  };
}

/**
 * The function's environment as on AWS (intrinsics resolved; the database connection came in
 * through the stage params), plus what the Lambda runtime sets, with the SDK pointed at the
 * local endpoint through AWS_ENDPOINT_URL.
 */
function functionEnvironment(
  fn: FunctionDefinition,
  context: IntrinsicContext,
  backend: StartedBackend,
  region: string,
): Record<string, string> {
  const resolved = resolveIntrinsics(fn.environment, context) as Record<string, unknown>;
  return {
    ...Object.fromEntries(Object.entries(resolved).map(([name, value]) => [name, String(value)])),
    PATH: process.env.PATH ?? "",
    TZ: "UTC",
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL: backend.awsEndpoint,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMegabytes),
    ...(process.env.POWERTOOLS_LOG_LEVEL && { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL }),
  };
}
