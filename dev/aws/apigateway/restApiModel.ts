import { LocalAwsError } from "../errors.ts";
import { readGatewayResponseHeaders, type GatewayResponseDefinition } from "./gatewayResponses.ts";
import { logicalIdOf, resourcesOfType, type CloudFormationTemplate } from "../cloudformation/intrinsics.ts";
import {
  readRequestParameters,
  readResponseParameters,
  type RequestParameterMapping,
  type ResponseParameterMapping,
} from "./integrationParameters.ts";
import { readRequestValidation, type RequestValidation } from "./requestValidatorModel.ts";

/** A REST API as the compiled template declares it: its methods and its customised gateway responses. */
export interface RestApiModel {
  routes: RouteDefinition[];
  gatewayResponses: Map<string, GatewayResponseDefinition>;
  /**
   * The stage the API is deployed to (`requestContext.stage`, `$context.stage`): the Deployment's
   * or Stage's StageName, which the framework sets to the service's stage unless
   * `provider.apiGateway.stage` names another. Undefined when the template names none.
   */
  stageName?: string;
  /** Where a method that requires an API key reads it (RestApi ApiKeySourceType): the x-api-key header unless AUTHORIZER. */
  apiKeySource: "HEADER" | "AUTHORIZER";
}

export type RouteDefinition = LambdaProxyRoute | LambdaIntegrationRoute | SqsIntegrationRoute | MockIntegrationRoute;

/** What a method asks of a caller before its integration runs. */
export interface MethodAccess {
  authorization?: { authorizerLogicalId: string; scopes: string[] };
  apiKeyRequired: boolean;
}

interface RouteBase extends MethodAccess {
  method: string;
  /** "/items/{itemId}" */
  path: string;
  /** What its request validator checks, whatever the integration. */
  validation: RequestValidation;
}

export interface LambdaProxyRoute extends RouteBase {
  kind: "lambda-proxy";
  functionLogicalId: string;
}

/** What API Gateway does with a content type that has no request template. */
export type PassthroughBehavior = "WHEN_NO_MATCH" | "WHEN_NO_TEMPLATES" | "NEVER";

/** A non-proxy integration: request templates and parameters in, integration responses out. */
export interface IntegrationRoute extends RouteBase {
  requestTemplates: Record<string, string>;
  /** AWS's default is WHEN_NO_MATCH: a content type without a template passes through untransformed. */
  passthroughBehavior: PassthroughBehavior;
  requestParameters: RequestParameterMapping[];
  integrationResponses: IntegrationResponse[];
}

export interface SqsIntegrationRoute extends IntegrationRoute {
  kind: "sqs";
  /** Fn::Sub that names the queue; resolved once the queues exist. */
  uri: unknown;
}

/** A Lambda custom integration (`integration: lambda`): templates in, the function's result through integration responses out. */
export interface LambdaIntegrationRoute extends IntegrationRoute {
  kind: "lambda";
  functionLogicalId: string;
}

/** A MOCK integration: API Gateway answers itself, as a CORS preflight does. */
export interface MockIntegrationRoute extends IntegrationRoute {
  kind: "mock";
}

export interface IntegrationResponse {
  statusCode: number;
  selectionPattern?: string;
  responseParameters: ResponseParameterMapping[];
  responseTemplates: Record<string, string>;
}

export type { GatewayResponseDefinition } from "./gatewayResponses.ts";

/**
 * Reads the REST API from a compiled template. A method the local stack cannot run as AWS does
 * (an integration, an authorization or a validation it does not emulate) fails here, naming it.
 *
 * @example
 * const { routes } = readRestApi((await packageService({ configPath: "serverless.yml", stage: "local" })).template);
 */
export function readRestApi(template: CloudFormationTemplate): RestApiModel {
  const stageName = [...resourcesOfType(template, "AWS::ApiGateway::Stage"), ...resourcesOfType(template, "AWS::ApiGateway::Deployment")]
    .map(([, properties]) => properties.StageName)
    .find((name): name is string => typeof name === "string");
  const apiKeySource = resourcesOfType(template, "AWS::ApiGateway::RestApi").some(([, properties]) => properties.ApiKeySourceType === "AUTHORIZER") ? "AUTHORIZER" : "HEADER";
  return {
    ...(stageName !== undefined && { stageName }),
    apiKeySource,
    routes: readRoutes(template),
    gatewayResponses: new Map(
      resourcesOfType(template, "AWS::ApiGateway::GatewayResponse").map(([logicalId, properties]) => [
        String(properties.ResponseType),
        {
          statusCode: Number(properties.StatusCode),
          responseTemplates: (properties.ResponseTemplates as Record<string, string> | undefined) ?? {},
          responseHeaders: readGatewayResponseHeaders(logicalId, (properties.ResponseParameters as Record<string, unknown> | undefined) ?? {}),
        },
      ]),
    ),
  };
}

function readRoutes(template: CloudFormationTemplate): RouteDefinition[] {
  const validators = new Map(resourcesOfType(template, "AWS::ApiGateway::RequestValidator"));
  const models = new Map(resourcesOfType(template, "AWS::ApiGateway::Model"));

  return resourcesOfType(template, "AWS::ApiGateway::Method").map(([logicalId, properties]): RouteDefinition => {
    const method = String(properties.HttpMethod).toUpperCase();
    const path = pathOf(template, properties.ResourceId);
    const where = `${logicalId} (${method} ${path})`;
    const integration = (properties.Integration as Record<string, unknown> | undefined) ?? {};
    const access = { ...methodAccessOf(where, properties), validation: readRequestValidation(properties, validators, models) };
    if (integration.Type === "AWS_PROXY") {
      return { kind: "lambda-proxy", method, path, ...access, functionLogicalId: lambdaOfProxyUri(integration.Uri, logicalId) };
    }
    if (integration.Type === "AWS" && JSON.stringify(integration.Uri).includes(":lambda:path/")) {
      return { kind: "lambda", method, path, ...access, functionLogicalId: lambdaOfProxyUri(integration.Uri, logicalId), ...integrationOf(where, integration) };
    }
    if (integration.Type === "MOCK") return { kind: "mock", method, path, ...access, ...integrationOf(where, integration) };
    if (integration.Type === "AWS" && JSON.stringify(integration.Uri).includes(":sqs:path/")) {
      return {
        kind: "sqs",
        method,
        path,
        ...access,
        uri: integration.Uri,
        ...integrationOf(where, integration),
      };
    }
    throw new LocalAwsError(
      `${where} uses an integration the local stack does not emulate: ${JSON.stringify(integration.Type)} ` +
        `${JSON.stringify(integration.Uri ?? "")}; it runs AWS_PROXY and AWS (Lambda), AWS with an SQS path override ` +
        "(arn:aws:apigateway:<region>:sqs:path/<account>/<queue>) and MOCK",
    );
  });
}

/**
 * The method's authorizer and scopes, and whether it requires an API key. Authorization the local
 * stack cannot check (IAM) is refused rather than let every request through.
 */
function methodAccessOf(where: string, method: Record<string, unknown>): MethodAccess {
  const type = String(method.AuthorizationType ?? "NONE");
  const apiKeyRequired = method.ApiKeyRequired === true || method.ApiKeyRequired === "true";
  if (type === "NONE") return { apiKeyRequired };
  if (type !== "COGNITO_USER_POOLS" && type !== "CUSTOM") {
    throw new LocalAwsError(`${where}: AuthorizationType ${type} is not emulated; the local stack checks COGNITO_USER_POOLS and CUSTOM (Lambda) authorizers, and NONE`);
  }
  const authorizerLogicalId = logicalIdOf(method.AuthorizerId, `${where} AuthorizerId`);
  return { apiKeyRequired, authorization: { authorizerLogicalId, scopes: ((method.AuthorizationScopes as string[] | undefined) ?? []).map(String) } };
}

const PASSTHROUGH_BEHAVIORS: readonly PassthroughBehavior[] = ["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"];

/**
 * The integration's request and response settings, refusing at start what the local stack
 * would otherwise run differently from AWS.
 */
function integrationOf(where: string, integration: Record<string, unknown>): Omit<IntegrationRoute, keyof RouteBase> {
  const passthroughBehavior = String(integration.PassthroughBehavior ?? "WHEN_NO_MATCH") as PassthroughBehavior;
  if (!PASSTHROUGH_BEHAVIORS.includes(passthroughBehavior)) {
    throw new LocalAwsError(`${where}: PassthroughBehavior ${passthroughBehavior} is not one of ${PASSTHROUGH_BEHAVIORS.join(", ")}`);
  }
  refuseBinaryContent(where, integration.ContentHandling);
  const requestTemplates = (integration.RequestTemplates as Record<string, string> | undefined) ?? {};
  for (const [contentType, requestTemplate] of Object.entries(requestTemplates)) {
    if (requestTemplate.includes("requestOverride")) {
      throw new LocalAwsError(
        `${where}: the ${contentType} request template sets $context.requestOverride, which the local stack does not emulate; ` +
          "map the value with the integration's RequestParameters instead (integration.request.querystring.X or .header.X)",
      );
    }
  }
  return {
    requestTemplates,
    passthroughBehavior,
    requestParameters: readRequestParameters(where, (integration.RequestParameters as Record<string, unknown> | undefined) ?? {}),
    integrationResponses: ((integration.IntegrationResponses as Array<Record<string, unknown>> | undefined) ?? []).map((response) => {
      refuseBinaryContent(where, response.ContentHandling);
      return {
        // The service proxy plugin writes numbers here, osls's CORS writes strings: both are fine on AWS.
        statusCode: Number(response.StatusCode),
        ...(response.SelectionPattern !== undefined && { selectionPattern: String(response.SelectionPattern) }),
        responseParameters: readResponseParameters(where, (response.ResponseParameters as Record<string, unknown> | undefined) ?? {}),
        responseTemplates: (response.ResponseTemplates as Record<string, string> | undefined) ?? {},
      };
    }),
  };
}

/** The local API reads and writes text; a binary conversion would silently differ from AWS. */
function refuseBinaryContent(where: string, contentHandling: unknown): void {
  if (contentHandling !== undefined && contentHandling !== "CONVERT_TO_TEXT") {
    throw new LocalAwsError(`${where}: ContentHandling ${String(contentHandling)} is not emulated; the local stack handles text bodies (CONVERT_TO_TEXT or none)`);
  }
}

/** Walks AWS::ApiGateway::Resource parents up to the API root (the RestApi's RootResourceId). */
function pathOf(template: CloudFormationTemplate, resourceId: unknown): string {
  const attribute = (resourceId as { "Fn::GetAtt"?: [string, string] } | undefined)?.["Fn::GetAtt"]?.[1];
  const logicalId = logicalIdOf(resourceId, "ResourceId", true);
  if (!logicalId || attribute === "RootResourceId") return "/";
  const resource = template.Resources[logicalId]?.Properties ?? {};
  const parent = pathOf(template, resource.ParentId);
  return `${parent === "/" ? "" : parent}/${String(resource.PathPart)}`;
}

function lambdaOfProxyUri(uri: unknown, methodId: string): string {
  const match = JSON.stringify(uri).match(/"Fn::GetAtt":\["([^"]+)","Arn"\]/);
  if (!match?.[1]) throw new LocalAwsError(`${methodId} proxies to a Lambda the local stack cannot find`);
  return match[1];
}
