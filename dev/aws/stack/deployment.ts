import { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { ApiRoute } from "../apigateway/httpApi.ts";
import { readRestApi, type RestApiModel } from "../apigateway/restApiModel.ts";
import { deployHttpApi, type DeployedHttpApi } from "../apigatewayv2/deployedHttpApi.ts";
import { readHttpApi } from "../apigatewayv2/httpApiModel.ts";
import { registerUserPoolClients } from "../apigatewayv2/httpApiRoutes.ts";
import type { PackagedService } from "../cloudformation/packageService.ts";
import { ResourceRegistry } from "../cloudformation/resourceRegistry.ts";
import { resolveString } from "../cloudformation/intrinsics.ts";
import { notEmulated } from "../cloudformation/emulatedResources.ts";
import { readServiceModel, type EventSourceMappingDefinition, type ServiceModel } from "../cloudformation/serviceModel.ts";
import { pipelineMapOf, type PipelineMap } from "../console/pipelineSampler.ts";
import { LocalAwsError } from "../errors.ts";
import { configurationWarnings } from "../lambda/configurationWarnings.ts";
import { EventSourceRunner } from "../lambda/eventSourceMapping/eventSourceRunner.ts";
import { FunctionRuntime } from "../lambda/functionRuntime.ts";
import { nodeRuntimeRules } from "../lambda/nodeRuntimes.ts";
import { provisionBuckets } from "../s3/provisionBuckets.ts";
import { provisionQueues, type ProvisionedQueue } from "../sqs/provisionQueues.ts";
import { existingQueue } from "../sqs/existingQueue.ts";
import type { SqsJsonClient } from "../sqs/sqsJsonClient.ts";
import { functionEnvironment } from "./functionEnvironment.ts";
import type { LocalAwsOptions } from "./localAws.ts";
import { apiRoutes } from "./routeTable.ts";
import { methodAccessOf, registerUserPools, type StackAccess } from "./stackAccess.ts";

/** What one compiled template runs: rebuilt by a reapply, while the API server and backend stay. */
export interface Deployment {
  service: string;
  model: ServiceModel;
  restApi: RestApiModel;
  warnings: string[];
  queues: ProvisionedQueue[];
  buckets: string[];
  functions: FunctionRuntime[];
  /** What each function runs with; a function whose settings are unchanged keeps its containers. */
  functionSettings: Map<FunctionRuntime, string>;
  runners: EventSourceRunner[];
  routes: ApiRoute[];
  /** The HTTP API (httpApi events), served on its own port; undefined when the template has none. */
  httpApi?: DeployedHttpApi;
  /** What the console draws: each route and what it reaches. */
  pipeline: PipelineMap;
}

/** What a deployment is made with; the same for a start and every reapply. */
export interface DeploymentContext {
  options: LocalAwsOptions;
  sqs: SQSClient;
  /** Each message's send, receive and delete go through the lean client. */
  messages: SqsJsonClient;
  step: (step: string) => void;
  access: StackAccess;
}

/**
 * Creates what a compiled template declares and builds what runs it. Creating is idempotent (a
 * queue or bucket that exists keeps its messages or objects), so the same code serves a start and
 * a reapply; a function whose settings did not change keeps its runtime and warm containers.
 *
 * @example
 * let current = await deploy(packaged, context);
 * current = await deploy(await packageService(options), context, current);
 */
export async function deploy(packaged: PackagedService, context: DeploymentContext, previous?: Deployment): Promise<Deployment> {
  const { backend } = context.options;
  const { warnings: notEmulatedWarnings } = notEmulated(packaged.template);
  const model = readServiceModel(packaged.template);
  // A runtime the local stack cannot run as Lambda does is refused before anything is created.
  for (const fn of model.functions) nodeRuntimeRules(fn.runtime, fn.name);
  const restApi = readRestApi(packaged.template);
  const httpApi = readHttpApi(packaged.template);
  const warnings = [...(packaged.compatibilityChanges ?? []), ...notEmulatedWarnings, ...configurationWarnings(model)];
  const { region, stage } = packaged;
  const registry = new ResourceRegistry({ accountId: backend.accountId, region, stackName: `${packaged.service}-${stage}` });

  const { queues, buckets } = await provisionStorage(model, registry, context);
  for (const fn of model.functions) {
    registry.register(fn.logicalId, { ref: fn.name, attributes: { Arn: `arn:aws:lambda:${region}:${backend.accountId}:function:${fn.name}` } });
  }
  registerUserPools(registry, context.access);
  registerUserPoolClients(packaged.template, registry, context.access.userPools);

  const { functions, functionSettings } = await functionRuntimes(model, registry, context, previous);
  const runtimeOf = (logicalId: string) => functions[model.functions.findIndex((fn) => fn.logicalId === logicalId)]!;
  const existingQueues = await existingQueuesRead(model, registry, context);
  const runners = eventSourceRunners(model, { queues, existingQueues }, runtimeOf, { region, context });
  const apiStage = restApi.stageName ?? stage;
  const routes = apiRoutes(
    { stage: apiStage, accountId: backend.accountId, restApi, registry, queues, messages: context.messages, runtimeOf },
    methodAccessOf(packaged, context.access, restApi, { region, accountId: backend.accountId, stage: apiStage, runtimeOf }),
  );
  const pipeline = pipelineMapOf(model, restApi, registry, packaged.template);
  const { userPools } = context.access;
  const served = httpApi && deployHttpApi({ api: httpApi, accountId: backend.accountId, registry, queues, messages: context.messages, userPools, runtimeOf }, model, pipeline);
  // The existing queues its event sources read are listed too: the status and the console show their depth.
  const read = [...new Set(existingQueues.values())].filter((queue) => !queues.some((own) => own.arn === queue.arn));
  return {
    service: packaged.service,
    model,
    restApi,
    warnings: [...warnings, ...(served?.warnings ?? [])],
    queues: [...queues, ...read],
    buckets,
    functions,
    functionSettings,
    runners,
    routes,
    pipeline,
    ...(served && { httpApi: served }),
  };
}

/** The template's queues and buckets, created where missing and registered for its intrinsics. */
async function provisionStorage(model: ServiceModel, registry: ResourceRegistry, { options, sqs, step }: DeploymentContext) {
  const { backend } = options;
  step("creating queues");
  const queues = await provisionQueues(sqs, model.queues, registry, backend.awsEndpoint);
  if (model.buckets.length > 0) step("creating buckets");
  // Buckets by path: an emulator's host name need not resolve subdomains. The functions' own
  // clients get the same from the backends, whose endpoints are IP addresses.
  const s3 = new S3Client({ endpoint: backend.awsEndpoint, region: registry.region, credentials: backend.credentials, forcePathStyle: true });
  const buckets = await provisionBuckets(s3, model.buckets, registry).finally(() => s3.destroy());
  return { queues, buckets };
}

/**
 * A runtime per function, after the app's beforeFunctionsStart has seen their environments; a
 * function whose settings are those of the previous deployment keeps its runtime.
 */
async function functionRuntimes(model: ServiceModel, registry: ResourceRegistry, { options }: DeploymentContext, previous?: Deployment) {
  const environments = new Map(model.functions.map((fn) => [fn.logicalId, functionEnvironment(fn, registry, options.backend)]));
  await options.beforeFunctionsStart?.(model.functions.map((fn) => ({ name: fn.name, environment: environments.get(fn.logicalId)! })));

  const functionSettings = new Map<FunctionRuntime, string>();
  const functions = model.functions.map((fn) => {
    const settings = {
      name: fn.name,
      arn: registry.attributeOf(fn.logicalId, "Arn"),
      handler: fn.handler,
      runtime: fn.runtime,
      serviceDir: options.serviceDir,
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
  return { functions, functionSettings };
}

/**
 * The queue each enabled event source reads that the service does not define, as the backend
 * holds it; its ARN resolved as a deploy resolves it (pseudo parameters such as AWS::Region).
 */
async function existingQueuesRead(model: ServiceModel, registry: ResourceRegistry, { sqs, options }: DeploymentContext) {
  const byArn = new Map<string, Promise<ProvisionedQueue>>();
  const read = new Map<EventSourceMappingDefinition, Promise<ProvisionedQueue>>();
  for (const mapping of model.eventSourceMappings) {
    if (!mapping.enabled || mapping.queueLogicalId !== undefined) continue;
    const arn = resolveString(mapping.existingQueueArn, registry);
    const where = `the sqs event of ${model.functions.find((fn) => fn.logicalId === mapping.functionLogicalId)?.name ?? mapping.functionLogicalId}`;
    const { region, accountId } = registry;
    if (!byArn.has(arn)) byArn.set(arn, existingQueue(sqs, arn, { region, accountId, endpoint: options.backend.awsEndpoint, where }));
    read.set(mapping, byArn.get(arn)!);
  }
  return new Map(await Promise.all([...read].map(async ([mapping, queue]) => [mapping, await queue] as const)));
}

/** A runner per enabled event source mapping, not yet started. */
function eventSourceRunners(
  model: ServiceModel,
  { queues, existingQueues }: { queues: readonly ProvisionedQueue[]; existingQueues: ReadonlyMap<EventSourceMappingDefinition, ProvisionedQueue> },
  runtimeOf: (logicalId: string) => FunctionRuntime,
  { region, context }: { region: string; context: DeploymentContext },
): EventSourceRunner[] {
  const queueOf = (mapping: EventSourceMappingDefinition) => {
    const queue = existingQueues.get(mapping) ?? queues.find((candidate) => candidate.logicalId === mapping.queueLogicalId);
    if (!queue) throw new LocalAwsError(`an event source reads ${mapping.queueLogicalId}, which is not an SQS queue of this service`);
    return queue;
  };
  const timing = context.options.eventSourceTiming;
  return model.eventSourceMappings
    .filter((mapping) => mapping.enabled)
    .map(
      (mapping) =>
        new EventSourceRunner({
          sqs: context.messages,
          queue: queueOf(mapping),
          target: runtimeOf(mapping.functionLogicalId),
          region,
          accountId: context.options.backend.accountId,
          batchSize: mapping.batchSize,
          maximumBatchingWindowSeconds: mapping.maximumBatchingWindowSeconds,
          reportBatchItemFailures: mapping.reportBatchItemFailures,
          ...(mapping.maximumConcurrency !== undefined && { maximumConcurrency: mapping.maximumConcurrency }),
          ...(mapping.provisionedPollers && { provisionedPollers: mapping.provisionedPollers }),
          ...(timing && { timing }),
        }),
    );
}
