import type { ApiRoute } from "../apigateway/httpApi.ts";
import { noteSentMessage } from "../apigateway/httpApi.ts";
import { lambdaIntegrationRoute } from "../apigateway/lambdaIntegrationRoute.ts";
import { lambdaProxyRoute } from "../apigateway/lambdaProxyRoute.ts";
import { guardedRoute, type MethodAccessDependencies } from "../apigateway/methodAccess.ts";
import { validatedRoute } from "../apigateway/methodRequestValidation.ts";
import { mockIntegrationRoute } from "../apigateway/mockIntegrationRoute.ts";
import type { RestApiModel, RouteDefinition } from "../apigateway/restApiModel.ts";
import type { RouteHandler } from "../apigateway/apiTypes.ts";
import { sqsIntegrationRoute } from "../apigateway/sqsIntegrationRoute.ts";
import { resolveString } from "../cloudformation/intrinsics.ts";
import type { ResourceRegistry } from "../cloudformation/resourceRegistry.ts";
import { LocalAwsError } from "../errors.ts";
import type { FunctionRuntime } from "../lambda/functionRuntime.ts";
import type { ProvisionedQueue } from "../sqs/provisionQueues.ts";
import { queueSender } from "../sqs/queueSender.ts";
import type { SqsJsonClient } from "../sqs/sqsJsonClient.ts";

/** What a route's handler may reach in the deployment it belongs to. */
export interface RouteWiring {
  stage: string;
  accountId: string;
  restApi: RestApiModel;
  registry: ResourceRegistry;
  queues: readonly ProvisionedQueue[];
  messages: SqsJsonClient;
  runtimeOf(functionLogicalId: string): FunctionRuntime;
}

type HandlerFor<Kind extends RouteDefinition["kind"]> = (route: Extract<RouteDefinition, { kind: Kind }>, wiring: RouteWiring) => RouteHandler;

/**
 * Which integration a route's kind gets: the one place that says how a method of the template
 * reaches what it calls. A kind the model reads but this table lacks does not compile.
 */
const ROUTE_HANDLERS: { [Kind in RouteDefinition["kind"]]: HandlerFor<Kind> } = {
  // AWS_PROXY: the function gets the proxy event and answers for itself.
  "lambda-proxy": (route, { runtimeOf, stage, accountId, restApi }) =>
    lambdaProxyRoute(route, runtimeOf(route.functionLogicalId), { stage, accountId, gatewayResponses: restApi.gatewayResponses }),
  // AWS with a Lambda URI (integration: lambda): the request template makes the event, integration responses the answer.
  lambda: (route, { runtimeOf, stage, restApi }) => lambdaIntegrationRoute(route, runtimeOf(route.functionLogicalId), { gatewayResponses: restApi.gatewayResponses, stage }),
  // MOCK: API Gateway answers itself, as a CORS preflight does.
  mock: (route, { stage, restApi }) => mockIntegrationRoute(route, { gatewayResponses: restApi.gatewayResponses, stage }),
  // AWS with an SQS path override: the request template becomes a SendMessage, no Lambda involved.
  sqs: (route, { registry, queues, messages, stage, restApi }) => {
    const queueName = resolveString(route.uri, registry).split("/").at(-1);
    const queue = queues.find((candidate) => candidate.name === queueName);
    if (!queue) throw new LocalAwsError(`${route.method} ${route.path} sends to ${queueName}, which is not a queue of this service`);
    return sqsIntegrationRoute(route, { send: tracedSender(queueSender(messages, queue.url)), gatewayResponses: restApi.gatewayResponses, stage });
  },
};

/**
 * The API's routes, each method's integration behind its authorizer, API key and request
 * validator as the template declares them.
 *
 * @example
 * const routes = apiRoutes(wiring, methodAccess); // [{ method: "POST", path: "/items", handle }]
 */
export function apiRoutes(wiring: RouteWiring, methodAccess: MethodAccessDependencies): ApiRoute[] {
  return wiring.restApi.routes.map((route) => {
    const integration = (ROUTE_HANDLERS[route.kind] as HandlerFor<typeof route.kind>)(route as never, wiring);
    const validated = validatedRoute(route.validation, integration, wiring.restApi.gatewayResponses);
    return { method: route.method, path: route.path, handle: guardedRoute(route, validated, methodAccess) };
  });
}

/** A queue sender that notes each message on the API request that sent it, for the console's trace. */
function tracedSender<Message, Sent extends { MessageId: string }>(send: (message: Message) => Promise<Sent>) {
  return async (message: Message) => {
    const sent = await send(message);
    noteSentMessage(sent.MessageId);
    return sent;
  };
}
