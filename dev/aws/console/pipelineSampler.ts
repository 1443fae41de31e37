import { BoundedRing } from "../lambda/boundedRing.ts";
import { resolveString, resourcesOfType, type CloudFormationTemplate } from "../cloudformation/intrinsics.ts";
import type { ResourceRegistry } from "../cloudformation/resourceRegistry.ts";
import type { ServiceModel } from "../cloudformation/serviceModel.ts";
import type { RequestEntry } from "../apigateway/httpApi.ts";
import type { RestApiModel } from "../apigateway/restApiModel.ts";
import type { LocalStatus } from "./localStatus.ts";


/** What the sampler reads: the map it draws, the status it samples, the API's recent requests. */
export interface SamplerSources {
  pipeline: PipelineMap;
  status: () => Promise<LocalStatus>;
  /** Read late: the API starts after the console is made. */
  requests: () => BoundedRing<RequestEntry>;
}

/** What checks a route's callers before its integration: a user pool's or issuer's tokens, or a Lambda authorizer's function. */
export interface PipelineAuthorizer {
  kind: "cognito" | "jwt" | "lambda";
  /** The authorizer's Name in the template. */
  name: string;
  /** A Lambda authorizer's function name, else null. */
  function: string | null;
}

/** The stack's flow as its template declares it, for the console to draw. */
export interface PipelineMap {
  routes: Array<{ method: string; path: string; kind: "sqs" | "lambda-proxy" | "lambda" | "mock"; /** Queue or function name. */ target: string | null; authorizer?: PipelineAuthorizer }>;
  eventSources: Array<{ queue: string; function: string; batchSize: number; maximumConcurrency: number | null }>;
}

/** One second of the pipeline, for the console's charts. */
export interface PipelineSample {
  time: number;
  /** 2xx answers per second of routes that send to SQS, since the sample before. */
  accepted: number;
  /** Records per second the event sources deleted once their function handled them. */
  stored: number;
  /** Visible plus in-flight messages, by queue name (dead-letter queues too). */
  queueDepth: Record<string, number>;
  /** Running invocations, by function name. */
  concurrency: Record<string, number>;
}

const SAMPLE_EVERY_MS = 1_000;
const SAMPLES_KEPT = 600;

/**
 * Reads the stack's status once a second and keeps the last ten minutes of what the charts show.
 * A status read that takes longer than a second delays the next one rather than piling up.
 */
export class PipelineSampler {
  readonly #sources: SamplerSources;
  readonly #samples = new BoundedRing<PipelineSample>(SAMPLES_KEPT);
  #timer: NodeJS.Timeout | undefined;
  #previous: { time: number; deleted: number } | undefined;
  latestStatus: LocalStatus | undefined;
  onSample: ((sample: PipelineSample, status: LocalStatus) => void) | undefined;

  constructor(sources: SamplerSources) {
    this.#sources = sources;
  }

  samples(): PipelineSample[] {
    return this.#samples.values();
  }

  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.#sample()
        .catch((error: Error) => console.error(`local console: reading the status failed: ${error.message}`))
        .finally(() => {
          if (this.#timer) this.#timer = setTimeout(tick, SAMPLE_EVERY_MS).unref();
        });
    };
    this.#timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #sample(): Promise<void> {
    const status = await this.#sources.status();
    const time = Date.now();
    const deleted = status.eventSources.reduce((sum, source) => sum + source.deleted, 0);
    const since = this.#previous?.time ?? time - SAMPLE_EVERY_MS;
    const queueRoutes = new Set(this.#sources.pipeline.routes.filter((route) => route.kind === "sqs").map((route) => `${route.method} ${route.path}`));
    let accepted = 0;
    for (const request of this.#sources.requests().values()) {
      if (request.statusCode === null || request.route === null || !queueRoutes.has(request.route)) continue;
      const answeredAt = request.time + (request.durationMs ?? 0);
      if (answeredAt > since && answeredAt <= time && request.statusCode >= 200 && request.statusCode < 300) accepted += 1;
    }
    // A slow status read stretches the interval: the charts show rates, per second.
    const perSecond = (count: number) => Math.round((count * 10_000) / Math.max(1, time - since)) / 10;
    const sample: PipelineSample = {
      time,
      accepted: perSecond(accepted),
      stored: this.#previous ? perSecond(Math.max(0, deleted - this.#previous.deleted)) : 0,
      queueDepth: Object.fromEntries(
        status.queues.flatMap((queue) => [
          [queue.name, queue.visible + queue.inFlight],
          ...(queue.deadLetterQueue ? [[queue.deadLetterQueue.name, queue.deadLetterQueue.visible]] : []),
        ]),
      ),
      concurrency: Object.fromEntries(status.functions.map((fn) => [fn.name, fn.inFlight])),
    };
    this.#previous = { time, deleted };
    this.latestStatus = status;
    this.#samples.push(sample);
    this.onSample?.(sample, status);
  }
}

/**
 * The pipeline the template declares: each route, the authorizer in front of it, and what it
 * reaches (a queue by a service integration, a function by Lambda proxy), and each event source
 * mapping with its cap.
 */
export function pipelineMapOf(model: ServiceModel, restApi: RestApiModel, registry: ResourceRegistry, template: CloudFormationTemplate): PipelineMap {
  const functionName = (logicalId: string) => model.functions.find((fn) => fn.logicalId === logicalId)?.name ?? logicalId;
  const authorizers = restAuthorizersOf(template, functionName);
  return {
    routes: restApi.routes.map((route) => ({
      method: route.method,
      path: route.path,
      kind: route.kind,
      ...(route.authorization && authorizers.has(route.authorization.authorizerLogicalId) && { authorizer: authorizers.get(route.authorization.authorizerLogicalId)! }),
      target:
        route.kind === "sqs"
          ? (resolveString(route.uri, registry).split("/").at(-1) ?? null)
          : route.kind === "lambda-proxy" || route.kind === "lambda"
            ? functionName(route.functionLogicalId)
            : null,
    })),
    eventSources: model.eventSourceMappings
      .filter((mapping) => mapping.enabled)
      .map((mapping) => ({
        // A queue the service does not define is named by its ARN's last part.
        queue: mapping.queueLogicalId === undefined ? resolveString(mapping.existingQueueArn, registry).split(":").at(-1)! : registry.attributeOf(mapping.queueLogicalId, "QueueName"),
        function: functionName(mapping.functionLogicalId),
        batchSize: mapping.batchSize,
        maximumConcurrency: mapping.maximumConcurrency ?? null,
      })),
  };
}

/** A REST API's authorizers as the console names them; the function of a TOKEN or REQUEST one from its AuthorizerUri. */
function restAuthorizersOf(template: CloudFormationTemplate, functionName: (logicalId: string) => string): Map<string, PipelineAuthorizer> {
  return new Map(
    resourcesOfType(template, "AWS::ApiGateway::Authorizer").map(([logicalId, properties]): [string, PipelineAuthorizer] => {
      const functionLogicalId = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(JSON.stringify(properties.AuthorizerUri ?? ""))?.[1];
      const name = String(properties.Name ?? logicalId);
      if (properties.Type === "COGNITO_USER_POOLS") return [logicalId, { kind: "cognito", name, function: null }];
      return [logicalId, { kind: "lambda", name, function: functionLogicalId === undefined ? null : functionName(functionLogicalId) }];
    }),
  );
}
