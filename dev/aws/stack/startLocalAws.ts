import { SQSClient } from "@aws-sdk/client-sqs";
import { resolve } from "node:path";
import { serveApiKeyEndpoint } from "../apigateway/apiKeyEndpoint.ts";
import { startHttpApi } from "../apigateway/httpApi.ts";
import { startHttpApiServer } from "../apigatewayv2/httpApiServer.ts";
import { packageServiceCached } from "../cloudformation/packageCache.ts";
import { packageService, type PackagedService } from "../cloudformation/packageService.ts";
import { serveTokenEndpoint } from "../cognito/tokenEndpoint.ts";
import { localConsole } from "../console/consoleServer.ts";
import { localStatus, type LocalStatus } from "../console/localStatus.ts";
import { LocalAwsError } from "../errors.ts";
import { watchHandlers } from "../lambda/handlerWatcher.ts";
import { SqsJsonClient } from "../sqs/sqsJsonClient.ts";
import { deploy, type Deployment, type DeploymentContext } from "./deployment.ts";
import type { ConfigChange, LocalAws, LocalAwsOptions } from "./localAws.ts";
import { changesBetween } from "./reapplyChanges.ts";
import { startAccess } from "./stackAccess.ts";

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
  const step = options.onStep ?? (() => {});
  const packaged = await packageFor(options, step);
  const clientConfig = { endpoint: options.backend.awsEndpoint, region: packaged.region, credentials: options.backend.credentials };
  const context: DeploymentContext = {
    options,
    sqs: new SQSClient(clientConfig),
    messages: new SqsJsonClient(clientConfig),
    step,
    access: await startAccess(packaged, { accountId: options.backend.accountId, stateDir: options.stateDir }),
  };
  const stack = new RunningStack(packaged, context, await deploy(packaged, context));
  await stack.serve();
  return stack;
}

/** The started stack: one deployment at a time, behind an API server and a backend that stay. */
class RunningStack implements LocalAws {
  readonly #packaged: PackagedService;
  readonly #context: DeploymentContext;
  #current: Deployment;
  #api: Awaited<ReturnType<typeof startHttpApi>> | undefined;
  #httpApi: Awaited<ReturnType<typeof startHttpApiServer>> | undefined;
  #console: ReturnType<typeof localConsole> | undefined;
  #watcher: { close(): Promise<void> } | undefined;
  /** One reapply at a time: an editor's save can come as several events. */
  #reapplying: Promise<ConfigChange> = Promise.resolve({ applied: true, changes: [], warnings: [] });

  constructor(packaged: PackagedService, context: DeploymentContext, deployment: Deployment) {
    this.#packaged = packaged;
    this.#context = context;
    this.#current = deployment;
  }

  get apiUrl() {
    return this.#api!.url;
  }
  get routes() {
    return this.#current.routes.map(({ method, path }) => ({ method, path }));
  }
  get httpApiUrl() {
    return this.#httpApi?.url;
  }
  get httpApiRoutes() {
    return this.#current.httpApi?.routes.map((route) => route.routeKey) ?? [];
  }
  get awsEndpoint() {
    return this.#context.options.backend.awsEndpoint;
  }
  get region() {
    return this.#packaged.region;
  }
  get accountId() {
    return this.#context.options.backend.accountId;
  }
  get credentials() {
    return this.#context.options.backend.credentials;
  }
  get clientConfig() {
    return { endpoint: this.awsEndpoint, region: this.region, credentials: this.credentials };
  }
  get stage() {
    return this.#packaged.stage;
  }
  // Getters: after a reapply, every reader (the console too) sees the new deployment.
  get queues() {
    return this.#current.queues;
  }
  get buckets() {
    return this.#current.buckets;
  }
  get functions() {
    return this.#current.functions;
  }
  get warnings() {
    return this.#current.warnings;
  }
  get userPools() {
    return this.#context.access.userPools;
  }
  get usagePlans() {
    return this.#context.access.usagePlans;
  }

  status = (): Promise<LocalStatus> => {
    const { stage, awsEndpoint, region, buckets } = this;
    // The two keys a client needs: the SDK writes its own bookkeeping ($source) onto the object it is given.
    const { accessKeyId, secretAccessKey } = this.credentials;
    const credentials = { accessKeyId, secretAccessKey };
    const { queues, functions, runners } = this.#current;
    const status = localStatus({ stage, awsEndpoint, region, credentials, buckets }, this.#context.sqs, queues, functions, runners, this.#context.options.appHooks);
    const { httpApiUrl, httpApiRoutes } = this;
    return httpApiUrl === undefined ? status : status.then((figures) => ({ ...figures, httpApi: { url: httpApiUrl, routes: httpApiRoutes } }));
  };

  /** Opens the API (with the token, API key and console endpoints under it), starts the pollers and the watcher. */
  async serve(): Promise<void> {
    const { options, access, sqs } = this.#context;
    const stack = this;
    this.#console = localConsole({
      get pipeline() {
        return stack.#current.pipeline;
      },
      status: this.status,
      sqs,
      get queues() {
        return stack.queues;
      },
      get functions() {
        return stack.functions;
      },
      requests: () => this.#api!.requests,
      ...(options.appHooks?.findStored && { findStored: options.appHooks.findStored }),
    });
    const consolePage = this.#console;
    this.#context.step("starting the API");
    this.#api = await startHttpApi({
      port: options.apiPort ?? 3000,
      routes: this.#current.routes,
      gatewayResponses: this.#current.restApi.gatewayResponses,
      localEndpoints: { "/_local/status": this.status },
      localHandler: async (request, response, url) =>
        (await serveTokenEndpoint(access.userPools, request, response, url)) ||
        (await serveApiKeyEndpoint(access.usagePlans, request, response, url)) ||
        consolePage.handle(request, response, url),
    });
    await this.#serveHttpApi();
    for (const runner of this.#current.runners) runner.start();
    await this.#watch();
  }

  /** The HTTP API on its own port, started with the first deployment that has one; a reapply swaps its routes. */
  async #serveHttpApi(): Promise<void> {
    const deployed = this.#current.httpApi;
    if (this.#httpApi) return this.#httpApi.setRoutes(deployed?.routes ?? []);
    if (!deployed) return;
    const { apiPort = 3000, httpApiPort } = this.#context.options;
    this.#httpApi = await startHttpApiServer({
      port: httpApiPort ?? (apiPort === 0 ? 0 : apiPort + 1),
      stageName: deployed.model.stageName,
      routes: deployed.routes,
      ...(deployed.cors && { cors: deployed.cors }),
      requests: this.#api!.requests,
    });
  }

  // Methods as fields: callers may take them off the stack (`const { stop } = stack`).
  reapply = (): Promise<ConfigChange> => {
    const once = () => this.#reapplyOnce();
    this.#reapplying = this.#reapplying.then(once, once);
    return this.#reapplying;
  };

  async #reapplyOnce(): Promise<ConfigChange> {
    const { options, step } = this.#context;
    const next = await packageFor(options, step)
      .then((repackaged) => {
        const moved = (["service", "stage", "region"] as const).filter((key) => repackaged[key] !== this.#packaged[key]);
        if (moved.length > 0) throw new LocalAwsError(`its ${moved.join(" and ")} changed, which cannot change in place: restart to apply it`);
        return deploy(repackaged, this.#context, this.#current);
      })
      .catch((error: Error) => error);
    if (next instanceof Error) return { applied: false, reason: next.message };
    const changes = changesBetween(this.#current, next);
    // Batches in flight finish on the old wiring; the new pollers start once they have.
    await Promise.all(this.#current.runners.map((runner) => runner.stop()));
    this.#api!.setRoutes(next.routes);
    // A replaced function's idle containers end now, its busy ones once their invocation returns.
    for (const runtime of this.#current.functions) if (!next.functions.includes(runtime)) runtime.replaceContainers();
    this.#current = next;
    await this.#serveHttpApi();
    for (const runner of this.#current.runners) runner.start();
    await this.#watcher?.close();
    await this.#watch();
    return { applied: true, changes, warnings: this.#current.warnings };
  }

  async #watch(): Promise<void> {
    const { options } = this.#context;
    if (!options.watch) return;
    const { onReload, onConfigChange } = options.watch;
    this.#watcher = await watchHandlers({
      serviceDir: options.serviceDir,
      functions: this.#current.functions,
      configFiles: [configPathOf(options)],
      onReload,
      onConfigChange: () => void this.reapply().then((change) => onConfigChange?.(change)),
    });
  }

  stop = async (): Promise<void> => {
    this.#console?.stop();
    await this.#watcher?.close();
    await this.#api?.close();
    await this.#httpApi?.close();
    await Promise.all(this.#current.runners.map((runner) => runner.stop()));
    await Promise.all(this.#current.functions.map((runtime) => runtime.stop()));
    this.#context.sqs.destroy();
    this.#context.messages.destroy();
  };
}

function configPathOf(options: LocalAwsOptions): string {
  return resolve(options.serviceDir, options.configFile ?? "serverless.yml");
}

/** The compiled template, from the package cache when serverless.yml is unchanged and a cache is given. */
async function packageFor(options: LocalAwsOptions, step: (step: string) => void): Promise<PackagedService> {
  const { accountId, credentials } = options.backend;
  const packageOptions = { configPath: configPathOf(options), stage: options.stage ?? "local", params: options.params ?? {}, account: { accountId, credentials } };
  if (options.packageCacheDir === undefined) {
    step("packaging serverless.yml");
    return packageService(packageOptions);
  }
  return packageServiceCached(packageOptions, options.packageCacheDir, (reused) =>
    step(reused ? "serverless.yml unchanged since the last start: reusing its package" : "packaging serverless.yml"),
  );
}
