import type { UserPoolDefinition } from "../cognito/userPool.ts";
import { readIdentitySources, type LambdaAuthorizerDefinition } from "./identitySources.ts";
import { LocalAwsError } from "../errors.ts";
import { resourcesOfType, type CloudFormationTemplate } from "../cloudformation/intrinsics.ts";

/** Who may call the API, as the template says: user pools, authorizers, usage plans, API keys. */
export interface AccessModel {
  userPools: UserPoolDefinition[];
  authorizers: Map<string, AuthorizerDefinition>;
  /** TOKEN and REQUEST authorizers, each on a function of this template. */
  lambdaAuthorizers: Map<string, LambdaAuthorizerDefinition>;
  usagePlans: UsagePlanDefinition[];
  apiKeys: ApiKeyDefinition[];
}

/** An AWS::ApiGateway::Authorizer of type COGNITO_USER_POOLS. */
export interface AuthorizerDefinition {
  logicalId: string;
  userPoolLogicalIds: string[];
  /** Lower case: "authorization" for `method.request.header.Authorization`. */
  tokenHeader: string;
  /** How long a verified token's result is reused (AuthorizerResultTtlInSeconds, 300 when unset, 0 for never). */
  resultTtlSeconds: number;
}

export interface UsagePlanDefinition {
  logicalId: string;
  name: string;
  /** Steady requests per second and the bucket's size; none means the plan does not throttle. */
  throttle?: { rateLimit: number; burstLimit: number };
  quota?: { limit: number; period: "DAY" | "WEEK" | "MONTH"; offset: number };
}

export interface ApiKeyDefinition {
  logicalId: string;
  name: string;
  /** The key's value when the template sets one; otherwise API Gateway generates it. */
  value?: string;
  enabled: boolean;
  usagePlanLogicalIds: string[];
}

const QUOTA_PERIODS = ["DAY", "WEEK", "MONTH"] as const;

/**
 * Reads the template's user pools (with their resource servers' scopes, groups and app clients),
 * Cognito and Lambda (TOKEN, REQUEST) authorizers, usage plans and API keys. An authorizer the
 * local stack cannot run (on a function outside the template, with stage variables) fails here,
 * naming it.
 *
 * @example
 * const access = readAccessModel(packaged.template);
 * access.usagePlans[0]?.throttle; // { rateLimit: 10, burstLimit: 50 }
 */
export function readAccessModel(template: CloudFormationTemplate): AccessModel {
  const refOf = (value: unknown, where: string) => {
    const logicalId = (value as { Ref?: string } | undefined)?.Ref;
    if (logicalId === undefined) throw new LocalAwsError(`${where} must name a resource of this template with { Ref: … }`);
    return logicalId;
  };
  const resourceServers = resourcesOfType(template, "AWS::Cognito::UserPoolResourceServer");
  const groups = resourcesOfType(template, "AWS::Cognito::UserPoolGroup");
  const clients = resourcesOfType(template, "AWS::Cognito::UserPoolClient");
  const userPools = resourcesOfType(template, "AWS::Cognito::UserPool").map(([logicalId, properties]): UserPoolDefinition => {
    const ofPool = ([id, child]: [string, Record<string, unknown>]) => refOf(child.UserPoolId, `${id}.UserPoolId`) === logicalId;
    return {
      logicalId,
      name: String(properties.UserPoolName ?? logicalId),
      scopes: resourceServers.filter(ofPool).flatMap(([, server]) =>
        ((server.Scopes as Array<{ ScopeName: string }> | undefined) ?? []).map((scope) => `${String(server.Identifier)}/${scope.ScopeName}`),
      ),
      groups: groups.filter(ofPool).map(([, group]) => String(group.GroupName)),
      clients: clients.filter(ofPool).map(([id, client]) => ({
        logicalId: id,
        name: String(client.ClientName ?? id),
        allowedScopes: ((client.AllowedOAuthScopes as string[] | undefined) ?? []).map(String),
      })),
      accessTokenMinutes: accessTokenMinutesOf(clients.filter(ofPool).map(([, client]) => client)),
    };
  });

  const authorizerResources = resourcesOfType(template, "AWS::ApiGateway::Authorizer");
  const authorizers = new Map(
    authorizerResources.filter(([, properties]) => properties.Type === "COGNITO_USER_POOLS").map(([logicalId, properties]) => [logicalId, cognitoAuthorizerOf(logicalId, properties)]),
  );
  const lambdaAuthorizers = new Map(
    authorizerResources.filter(([, properties]) => properties.Type !== "COGNITO_USER_POOLS").map(([logicalId, properties]) => [logicalId, lambdaAuthorizerOf(logicalId, properties)]),
  );

  const usagePlans = resourcesOfType(template, "AWS::ApiGateway::UsagePlan").map(([logicalId, properties]): UsagePlanDefinition => {
    const throttle = properties.Throttle as { RateLimit?: unknown; BurstLimit?: unknown } | undefined;
    const quota = properties.Quota as { Limit?: unknown; Period?: unknown; Offset?: unknown } | undefined;
    if (quota && !QUOTA_PERIODS.includes(quota.Period as (typeof QUOTA_PERIODS)[number])) {
      throw new LocalAwsError(`${logicalId}.Quota.Period must be one of ${QUOTA_PERIODS.join(", ")}, got ${String(quota.Period)}`);
    }
    return {
      logicalId,
      name: String(properties.UsagePlanName ?? logicalId),
      ...(throttle && { throttle: { rateLimit: Number(throttle.RateLimit ?? 0), burstLimit: Number(throttle.BurstLimit ?? 0) } }),
      ...(quota && { quota: { limit: Number(quota.Limit), period: quota.Period as "DAY" | "WEEK" | "MONTH", offset: Number(quota.Offset ?? 0) } }),
    };
  });

  const planKeys = resourcesOfType(template, "AWS::ApiGateway::UsagePlanKey");
  const apiKeys = resourcesOfType(template, "AWS::ApiGateway::ApiKey").map(([logicalId, properties]): ApiKeyDefinition => ({
    logicalId,
    name: String(properties.Name ?? logicalId),
    ...(typeof properties.Value === "string" && { value: properties.Value }),
    enabled: properties.Enabled !== false,
    usagePlanLogicalIds: planKeys
      .filter(([, key]) => (key.KeyId as { Ref?: string } | undefined)?.Ref === logicalId)
      .map(([id, key]) => refOf(key.UsagePlanId, `${id}.UsagePlanId`)),
  }));

  return { userPools, authorizers, lambdaAuthorizers, usagePlans, apiKeys };
}

function cognitoAuthorizerOf(logicalId: string, properties: Record<string, unknown>): AuthorizerDefinition {
  const source = String(properties.IdentitySource ?? "method.request.header.Authorization");
  const header = /^method\.request\.header\.([^,\s]+)$/.exec(source)?.[1];
  if (!header) throw new LocalAwsError(`${logicalId}: IdentitySource ${source} is not emulated; the local stack reads the token from one header (method.request.header.X)`);
  const providers = (properties.ProviderARNs as unknown[] | undefined) ?? [];
  return {
    logicalId,
    tokenHeader: header.toLowerCase(),
    resultTtlSeconds: authorizerResultTtl(logicalId, properties.AuthorizerResultTtlInSeconds),
    userPoolLogicalIds: providers.map((provider, index) => {
      const target = (provider as { "Fn::GetAtt"?: [string, string] })["Fn::GetAtt"]?.[0];
      if (target === undefined) throw new LocalAwsError(`${logicalId}.ProviderARNs[${index}] must be { "Fn::GetAtt": [<user pool>, Arn] } of this template`);
      return target;
    }),
  };
}

/**
 * A TOKEN or REQUEST authorizer. The framework writes its AuthorizerUri as a Fn::Join around the
 * function's { "Fn::GetAtt": [<function>, Arn] }; a function named by a literal ARN lives outside
 * the template, and nothing could run it locally.
 */
function lambdaAuthorizerOf(logicalId: string, properties: Record<string, unknown>): LambdaAuthorizerDefinition {
  const type = properties.Type;
  if (type !== "TOKEN" && type !== "REQUEST") {
    throw new LocalAwsError(`${logicalId}: an authorizer of type ${String(type)} is not emulated; the local stack runs COGNITO_USER_POOLS, TOKEN and REQUEST authorizers`);
  }
  const functionLogicalId = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(JSON.stringify(properties.AuthorizerUri ?? ""))?.[1];
  if (functionLogicalId === undefined) {
    throw new LocalAwsError(
      `${logicalId}: its AuthorizerUri names no function of this template (${JSON.stringify(properties.AuthorizerUri)}); ` +
        "the local stack runs an authorizer on a function of the service (authorizer: { name: <function> } in serverless.yml)",
    );
  }
  // The framework leaves a REQUEST authorizer without identity sources only when its cache is off.
  const identitySource = properties.IdentitySource === undefined && type === "TOKEN" ? "method.request.header.Authorization" : (properties.IdentitySource as string | undefined);
  const resultTtlSeconds = authorizerResultTtl(logicalId, properties.AuthorizerResultTtlInSeconds);
  const identitySources = readIdentitySources(logicalId, type, identitySource);
  if (identitySources.length === 0 && resultTtlSeconds > 0) {
    throw new LocalAwsError(`${logicalId}: a REQUEST authorizer whose results are cached (AuthorizerResultTtlInSeconds ${resultTtlSeconds}) needs an IdentitySource to key them by, as API Gateway requires`);
  }
  return {
    logicalId,
    type,
    functionLogicalId,
    identitySources,
    ...(typeof properties.IdentityValidationExpression === "string" && type === "TOKEN" && { validationExpression: properties.IdentityValidationExpression }),
    resultTtlSeconds,
  };
}

/** The shortest access token life among the pool's clients (Cognito's default: 60 minutes). */
function accessTokenMinutesOf(clients: Array<Record<string, unknown>>): number {
  const minutes = clients
    .filter((client) => client.AccessTokenValidity !== undefined)
    .map((client) => {
      const unit = (client.TokenValidityUnits as { AccessToken?: string } | undefined)?.AccessToken ?? "hours";
      const value = Number(client.AccessTokenValidity);
      return unit === "minutes" ? value : unit === "days" ? value * 1440 : value * 60;
    });
  return minutes.length > 0 ? Math.min(...minutes) : 60;
}

/** API Gateway caches an authorizer's result 300 s unless told otherwise; 0 turns the cache off, 3600 is the most. */
function authorizerResultTtl(logicalId: string, value: unknown): number {
  if (value === undefined) return 300;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) {
    throw new LocalAwsError(`${logicalId}.AuthorizerResultTtlInSeconds must be a whole number from 0 to 3600, not ${JSON.stringify(value)}`);
  }
  return seconds;
}
