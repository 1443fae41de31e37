import { LocalAwsError } from "../errors.ts";
import { logicalIdOf, resourcesOfType, type CloudFormationTemplate } from "../cloudformation/intrinsics.ts";

/**
 * An HTTP API (API Gateway v2, ProtocolType HTTP) as the compiled template declares it: what
 * `httpApi` events compile to, and what a team declares itself in `resources`. Values that name
 * other resources (a queue URL, a pool's issuer) stay unresolved here: the deployment resolves
 * them once those resources exist.
 */
export interface HttpApiModel {
  logicalId: string;
  name: string;
  /** "$default" serves at the root; another stage name prefixes every path, as on AWS. */
  stageName: string;
  cors?: CorsConfiguration;
  routes: HttpRouteDefinition[];
  authorizers: Map<string, JwtAuthorizerDefinition>;
  throttling: { default?: RouteThrottle; byRouteKey: Map<string, RouteThrottle> };
}

/** `AWS::ApiGatewayV2::Api` CorsConfiguration, with AWS's empty defaults. */
export interface CorsConfiguration {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  maxAge?: number;
}

export interface RouteThrottle {
  burstLimit: number;
  rateLimit: number;
}

export interface HttpRouteDefinition {
  logicalId: string;
  /** "GET /items/{id}", "ANY /{proxy+}", "$default" */
  routeKey: string;
  authorization?: { authorizerLogicalId: string; scopes: string[] };
  integration: HttpIntegration;
}

export type HttpIntegration =
  | { kind: "lambda"; logicalId: string; functionLogicalId: string; payloadFormatVersion: "1.0" | "2.0"; timeoutMs: number }
  | { kind: "sqs-send-message"; logicalId: string; requestParameters: Record<string, unknown>; timeoutMs: number };

export interface JwtAuthorizerDefinition {
  logicalId: string;
  name: string;
  /** "$request.header.Authorization" */
  identitySource: string[];
  /** Unresolved: usually a Fn::Join over a user pool's Ref. */
  issuer: unknown;
  audience: unknown[];
}

/** HTTP APIs' integration timeout: at most, and by default, 30 seconds. */
const MAX_TIMEOUT_MS = 30_000;

/**
 * The template's HTTP API, or undefined when it has none. What the local stack does not emulate
 * is refused here, naming the resource: a WebSocket API, an OpenAPI body, integrations other
 * than Lambda proxy and SQS-SendMessage, Lambda and IAM authorization, more than one HTTP API.
 *
 * @example
 * readHttpApi(template)?.routes.map((route) => route.routeKey); // ["GET /items/{id}", "$default"]
 */
export function readHttpApi(template: CloudFormationTemplate): HttpApiModel | undefined {
  const apis = resourcesOfType(template, "AWS::ApiGatewayV2::Api");
  for (const [logicalId, api] of apis) {
    if (api.ProtocolType !== "HTTP") {
      throw new LocalAwsError(`${logicalId} (AWS::ApiGatewayV2::Api): a ${String(api.ProtocolType)} API is not emulated; the local stack serves HTTP APIs (ProtocolType HTTP) and REST APIs`);
    }
    if (api.Body !== undefined || api.BodyS3Location !== undefined) {
      throw new LocalAwsError(`${logicalId} (AWS::ApiGatewayV2::Api): an API imported from an OpenAPI Body is not emulated; declare its routes as AWS::ApiGatewayV2::Route resources (httpApi events)`);
    }
  }
  refuseOrphans(template, new Set(apis.map(([logicalId]) => logicalId)));
  if (apis.length === 0) return undefined;
  if (apis.length > 1) {
    throw new LocalAwsError(`the template declares ${apis.length} HTTP APIs (${apis.map(([id]) => id).join(", ")}); the local stack serves one`);
  }
  const [logicalId, api] = apis[0]!;
  const ofApi = (properties: Record<string, unknown>) => logicalIdOf(properties.ApiId, "ApiId", true) === logicalId;
  const integrations = new Map(
    resourcesOfType(template, "AWS::ApiGatewayV2::Integration").filter(([, properties]) => ofApi(properties)).map(([id, properties]) => [id, integrationOf(id, properties)]),
  );
  const authorizers = new Map(
    resourcesOfType(template, "AWS::ApiGatewayV2::Authorizer").filter(([, properties]) => ofApi(properties)).map(([id, properties]) => [id, authorizerOf(id, properties)]),
  );
  const routes = resourcesOfType(template, "AWS::ApiGatewayV2::Route")
    .filter(([, properties]) => ofApi(properties))
    .map(([id, properties]) => routeOf(id, properties, integrations, authorizers));
  const stage = resourcesOfType(template, "AWS::ApiGatewayV2::Stage").find(([, properties]) => ofApi(properties))?.[1] ?? {};
  const cors = api.CorsConfiguration as Record<string, unknown> | undefined;
  return {
    logicalId,
    name: String(api.Name ?? logicalId),
    stageName: String(stage.StageName ?? "$default"),
    ...(cors && { cors: corsOf(cors) }),
    routes,
    authorizers,
    throttling: throttlingOf(stage),
  };
}

/**
 * Routes, integrations and authorizers of an API the template does not declare (an existing one
 * named by `provider.httpApi.id`): nothing would serve them locally, so the start is refused.
 */
function refuseOrphans(template: CloudFormationTemplate, apiIds: ReadonlySet<string>): void {
  const orphans = ["Route", "Integration", "Authorizer", "Stage"].flatMap((kind) =>
    resourcesOfType(template, `AWS::ApiGatewayV2::${kind}`)
      .filter(([, properties]) => !apiIds.has(logicalIdOf(properties.ApiId, "ApiId", true) ?? ""))
      .map(([logicalId, properties]) => `${logicalId} (AWS::ApiGatewayV2::${kind}, ApiId ${JSON.stringify(properties.ApiId)})`),
  );
  if (orphans.length > 0) {
    throw new LocalAwsError(`these belong to an HTTP API the template does not declare (provider.httpApi.id?), which nothing serves locally: ${orphans.join(", ")}; let the framework create the API`);
  }
}

function integrationOf(logicalId: string, properties: Record<string, unknown>): HttpIntegration {
  const where = `${logicalId} (AWS::ApiGatewayV2::Integration)`;
  const timeoutMs = Math.min(Number(properties.TimeoutInMillis ?? MAX_TIMEOUT_MS), MAX_TIMEOUT_MS);
  if (properties.IntegrationType !== "AWS_PROXY") {
    throw new LocalAwsError(`${where}: an integration of type ${String(properties.IntegrationType)} is not emulated; the local stack runs AWS_PROXY integrations (Lambda, SQS-SendMessage)`);
  }
  if (properties.IntegrationSubtype !== undefined) {
    if (properties.IntegrationSubtype !== "SQS-SendMessage") {
      throw new LocalAwsError(`${where}: the integration subtype ${String(properties.IntegrationSubtype)} is not emulated; the local stack runs SQS-SendMessage`);
    }
    return { kind: "sqs-send-message", logicalId, requestParameters: (properties.RequestParameters ?? {}) as Record<string, unknown>, timeoutMs };
  }
  if (properties.RequestParameters !== undefined || properties.ResponseParameters !== undefined) {
    throw new LocalAwsError(`${where}: parameter mapping (RequestParameters, ResponseParameters) on a Lambda integration is not emulated`);
  }
  const version = String(properties.PayloadFormatVersion ?? "2.0");
  if (version !== "1.0" && version !== "2.0") throw new LocalAwsError(`${where}: PayloadFormatVersion must be "1.0" or "2.0", got ${version}`);
  return { kind: "lambda", logicalId, functionLogicalId: logicalIdOf(properties.IntegrationUri, `${where} IntegrationUri`), payloadFormatVersion: version, timeoutMs };
}

function authorizerOf(logicalId: string, properties: Record<string, unknown>): JwtAuthorizerDefinition {
  const where = `${logicalId} (AWS::ApiGatewayV2::Authorizer)`;
  if (properties.AuthorizerType !== "JWT") {
    throw new LocalAwsError(`${where}: an HTTP API Lambda authorizer (AuthorizerType ${String(properties.AuthorizerType)}) is not emulated; the local stack verifies JWT authorizers`);
  }
  const jwt = (properties.JwtConfiguration ?? {}) as { Issuer?: unknown; Audience?: unknown[] };
  return {
    logicalId,
    name: String(properties.Name ?? logicalId),
    identitySource: ((properties.IdentitySource as string[] | undefined) ?? ["$request.header.Authorization"]).map(String),
    issuer: jwt.Issuer,
    audience: jwt.Audience ?? [],
  };
}

function routeOf(
  logicalId: string,
  properties: Record<string, unknown>,
  integrations: ReadonlyMap<string, HttpIntegration>,
  authorizers: ReadonlyMap<string, JwtAuthorizerDefinition>,
): HttpRouteDefinition {
  const routeKey = String(properties.RouteKey);
  const where = `${logicalId} (${routeKey})`;
  const target = logicalIdOf((properties.Target as { "Fn::Join"?: [string, unknown[]] } | undefined)?.["Fn::Join"]?.[1]?.[1], `${where} Target`, true);
  const integration = target === undefined ? undefined : integrations.get(target);
  if (!integration) throw new LocalAwsError(`${where}: its Target must be "integrations/<an AWS::ApiGatewayV2::Integration of this API>", got ${JSON.stringify(properties.Target)}`);
  const type = String(properties.AuthorizationType ?? "NONE");
  if (type === "NONE") return { logicalId, routeKey, integration };
  if (type !== "JWT") throw new LocalAwsError(`${where}: AuthorizationType ${type} is not emulated; the local stack verifies JWT authorizers`);
  const authorizerLogicalId = logicalIdOf(properties.AuthorizerId, `${where} AuthorizerId`);
  if (!authorizers.has(authorizerLogicalId)) throw new LocalAwsError(`${where}: AuthorizerId names ${authorizerLogicalId}, which is not an authorizer of this API`);
  return { logicalId, routeKey, integration, authorization: { authorizerLogicalId, scopes: ((properties.AuthorizationScopes as string[] | undefined) ?? []).map(String) } };
}

function corsOf(cors: Record<string, unknown>): CorsConfiguration {
  const list = (value: unknown) => ((value as unknown[] | undefined) ?? []).map(String);
  return {
    allowOrigins: list(cors.AllowOrigins),
    allowMethods: list(cors.AllowMethods),
    allowHeaders: list(cors.AllowHeaders),
    exposeHeaders: list(cors.ExposeHeaders),
    allowCredentials: cors.AllowCredentials === true,
    ...(cors.MaxAge !== undefined && { maxAge: Number(cors.MaxAge) }),
  };
}

function throttlingOf(stage: Record<string, unknown>): HttpApiModel["throttling"] {
  const throttleOf = (settings: unknown): RouteThrottle | undefined => {
    const { ThrottlingBurstLimit: burst, ThrottlingRateLimit: rate } = (settings ?? {}) as Record<string, unknown>;
    return burst === undefined && rate === undefined ? undefined : { burstLimit: Number(burst ?? Infinity), rateLimit: Number(rate ?? Infinity) };
  };
  const byRouteKey = new Map<string, RouteThrottle>();
  for (const [routeKey, settings] of Object.entries((stage.RouteSettings ?? {}) as Record<string, unknown>)) {
    const throttle = throttleOf(settings);
    if (throttle) byRouteKey.set(routeKey, throttle);
  }
  const fallback = throttleOf(stage.DefaultRouteSettings);
  return { ...(fallback && { default: fallback }), byRouteKey };
}
