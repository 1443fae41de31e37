import { resolveString } from "../cloudformation/intrinsics.ts";
import type { ServiceModel } from "../cloudformation/serviceModel.ts";
import type { PipelineMap } from "../console/pipelineSampler.ts";
import { corsPolicy, type CorsPolicy } from "./cors.ts";
import type { HttpApiModel } from "./httpApiModel.ts";
import { httpApiRoutes, type HttpApiWiring } from "./httpApiRoutes.ts";
import type { ServedRoute } from "./httpApiServer.ts";

/** An HTTP API as one deployment runs it: what its server serves, and what it warns of. */
export interface DeployedHttpApi {
  model: HttpApiModel;
  routes: ServedRoute[];
  cors?: CorsPolicy;
  warnings: string[];
}

/**
 * Wires the template's HTTP API into a deployment: its routes with their integrations, its CORS
 * policy, and its routes in the console's pipeline (a route to a queue, or to a function).
 *
 * @example
 * const httpApi = deployHttpApi(wiring, model, pipeline); // httpApi.routes → startHttpApiServer
 */
export function deployHttpApi(wiring: HttpApiWiring, model: ServiceModel, pipeline: PipelineMap): DeployedHttpApi {
  const { routes, warnings } = httpApiRoutes(wiring);
  const functionName = (logicalId: string) => model.functions.find((fn) => fn.logicalId === logicalId)?.name ?? logicalId;
  for (const route of wiring.api.routes) {
    const [method, path] = route.routeKey === "$default" ? ["ANY", "$default"] : route.routeKey.split(" ");
    const { integration } = route;
    pipeline.routes.push(
      integration.kind === "lambda"
        ? { method: method!, path: path!, kind: "lambda-proxy", target: functionName(integration.functionLogicalId) }
        : { method: method!, path: path!, kind: "sqs", target: resolveString(integration.requestParameters.QueueUrl ?? "", wiring.registry).split("/").at(-1) ?? null },
    );
  }
  return { model: wiring.api, routes, ...(wiring.api.cors && { cors: corsPolicy(wiring.api.cors) }), warnings };
}
