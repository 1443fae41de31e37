import { noteSentMessage } from "../apigateway/httpApi.ts";
import { resolveIntrinsics, resolveString, resourcesOfType, type CloudFormationTemplate } from "../cloudformation/intrinsics.ts";
import type { ResourceRegistry } from "../cloudformation/resourceRegistry.ts";
import type { LocalUserPool } from "../cognito/userPool.ts";
import { LocalAwsError } from "../errors.ts";
import type { FunctionRuntime } from "../lambda/functionRuntime.ts";
import type { ProvisionedQueue } from "../sqs/provisionQueues.ts";
import { queueSender } from "../sqs/queueSender.ts";
import type { SqsJsonClient } from "../sqs/sqsJsonClient.ts";
import { lambdaIntegration, sqsSendMessageIntegration } from "./httpApiIntegrations.ts";
import type { HttpApiModel, HttpIntegration, HttpRouteDefinition } from "./httpApiModel.ts";
import type { ServedRoute } from "./httpApiServer.ts";
import { httpApiError, type HttpApiHandler } from "./httpApiTypes.ts";
import { jwtAuthorizer } from "./jwtAuthorizer.ts";
import type { MappingSettings } from "./parameterMapping.ts";
import { tokenBucket } from "./routeThrottle.ts";

/** What an HTTP API's routes reach in the deployment they belong to. */
export interface HttpApiWiring {
  api: HttpApiModel;
  accountId: string;
  registry: ResourceRegistry;
  queues: readonly ProvisionedQueue[];
  messages: SqsJsonClient;
  userPools: readonly LocalUserPool[];
  runtimeOf(functionLogicalId: string): FunctionRuntime;
}

/** The id the local stack gives its HTTP API (`requestContext.apiId`, `$context.apiId`). */
export const LOCAL_HTTP_API_ID = "local";

/**
 * The HTTP API's routes, each integration behind its route's throttle and JWT authorizer, as
 * API Gateway runs them: throttle (429), then authorizer (401, 403), then the integration. An
 * authorizer whose issuer is no user pool of the template cannot get its keys locally: its
 * tokens are all refused, and a warning says so.
 *
 * @example
 * const { routes, warnings } = httpApiRoutes(wiring); // routes: [{ routeKey: "GET /items/{id}", handle }]
 */
export function httpApiRoutes(wiring: HttpApiWiring): { routes: ServedRoute[]; warnings: string[] } {
  const settings: MappingSettings = { accountId: wiring.accountId, apiId: LOCAL_HTTP_API_ID };
  const warnings: string[] = [];
  const authorizers = new Map(
    [...wiring.api.authorizers].map(([logicalId, definition]) => {
      const issuer = resolveString(definition.issuer, wiring.registry);
      const pool = wiring.userPools.find((candidate) => candidate.issuer === issuer);
      if (!pool) warnings.push(`${logicalId}: its issuer ${issuer} is not a user pool of this template; its keys cannot be fetched locally, so every token is refused 401`);
      const audience = definition.audience.map((entry) => resolveString(entry, wiring.registry));
      return [logicalId, jwtAuthorizer({ issuer, audience, identitySource: definition.identitySource, jwks: pool?.jwks() })];
    }),
  );
  const routes = wiring.api.routes.map((route): ServedRoute => {
    const integration = integrationOf(route.integration, wiring, settings);
    return { routeKey: route.routeKey, handle: guarded(route, integration, wiring.api, authorizers.get(route.authorization?.authorizerLogicalId ?? "")) };
  });
  return { routes, warnings };
}

function integrationOf(integration: HttpIntegration, wiring: HttpApiWiring, settings: MappingSettings): HttpApiHandler {
  if (integration.kind === "lambda") return lambdaIntegration(integration, wiring.runtimeOf(integration.functionLogicalId), settings);
  const requestParameters = resolveIntrinsics(integration.requestParameters, wiring.registry) as Record<string, unknown>;
  const queueName = String(requestParameters.QueueUrl ?? "").split("/").at(-1);
  const queue = wiring.queues.find((candidate) => candidate.name === queueName);
  if (!queue) throw new LocalAwsError(`${integration.logicalId} (SQS-SendMessage): its QueueUrl names ${queueName}, which is not a queue of this service`);
  const send = queueSender(wiring.messages, queue.url);
  const traced = async (message: Parameters<typeof send>[0]) => {
    const sent = await send(message);
    noteSentMessage(sent.MessageId);
    return sent;
  };
  return sqsSendMessageIntegration({ ...integration, requestParameters }, { send: traced, settings });
}

function guarded(route: HttpRouteDefinition, integration: HttpApiHandler, api: HttpApiModel, authorize: ReturnType<typeof jwtAuthorizer> | undefined): HttpApiHandler {
  const limits = api.throttling.byRouteKey.get(route.routeKey) ?? api.throttling.default;
  const throttle = limits && tokenBucket(limits);
  const scopes = route.authorization?.scopes ?? [];
  return async (request) => {
    if (throttle && !throttle.take()) return httpApiError("tooManyRequests");
    if (!authorize) return integration(request);
    const decision = await authorize(request.headers, scopes);
    if (decision.outcome === "unauthorized") return httpApiError("unauthorized");
    if (decision.outcome === "forbidden") return httpApiError("forbidden");
    return integration({ ...request, jwt: decision.jwt });
  };
}

/** The template's app clients as its intrinsics see them: Ref is the local client's id. */
export function registerUserPoolClients(template: CloudFormationTemplate, registry: ResourceRegistry, userPools: readonly LocalUserPool[]): void {
  for (const [logicalId, properties] of resourcesOfType(template, "AWS::Cognito::UserPoolClient")) {
    const clientName = String(properties.ClientName ?? logicalId);
    const client = userPools.map((pool) => pool.clientNamed(clientName)).find((found) => found !== undefined);
    if (client) registry.register(logicalId, { ref: client.clientId, attributes: { ClientId: client.clientId } });
  }
}
