import { cognitoAuthorizer } from "../apigateway/cognitoAuthorizer.ts";
import type { MethodAccessDependencies, MethodAuthorizer } from "../apigateway/methodAccess.ts";
import { restLambdaAuthorizer } from "../apigateway/restLambdaAuthorizer.ts";
import type { RestApiModel } from "../apigateway/restApiModel.ts";
import { UsagePlans } from "../apigateway/usagePlans.ts";
import { readAccessModel } from "../apigateway/accessModel.ts";
import type { PackagedService } from "../cloudformation/packageService.ts";
import type { ResourceRegistry } from "../cloudformation/resourceRegistry.ts";
import { LocalAwsError } from "../errors.ts";
import { LocalUserPool } from "../cognito/userPool.ts";
import type { FunctionRuntime } from "../lambda/functionRuntime.ts";

/** Who may call the API: kept from the start across reapplies, so tokens and keys handed out stay valid. */
export interface StackAccess {
  userPools: LocalUserPool[];
  usagePlans: UsagePlans;
}

/**
 * The template's user pools (their keys and clients) and API keys, kept in stateDir when given.
 *
 * @example
 * const access = await startAccess(packaged, { accountId: "000000000000", stateDir: ".state" });
 */
export async function startAccess(packaged: PackagedService, kept: { accountId: string; stateDir?: string | undefined }): Promise<StackAccess> {
  const access = readAccessModel(packaged.template);
  const stateDir = kept.stateDir === undefined ? {} : { stateDir: kept.stateDir };
  const stackName = `${packaged.service}-${packaged.stage}`;
  const userPools = await Promise.all(
    access.userPools.map((pool) => LocalUserPool.start(pool, { region: packaged.region, accountId: kept.accountId, stackName, ...stateDir })),
  );
  return { userPools, usagePlans: await UsagePlans.start(access.usagePlans, access.apiKeys, stateDir) };
}

/** The user pools as the template's intrinsics see them: Ref is the pool id, GetAtt its ARN and provider. */
export function registerUserPools(registry: ResourceRegistry, access: StackAccess): void {
  for (const pool of access.userPools) {
    registry.register(pool.logicalId, {
      ref: pool.poolId,
      attributes: { Arn: pool.arn, ProviderName: pool.issuer.replace("https://", ""), ProviderURL: pool.issuer, UserPoolId: pool.poolId },
    });
  }
}

/** Where the API's Lambda authorizers run and which method ARNs they are asked about. */
export interface AuthorizerWiring {
  region: string;
  accountId: string;
  stage: string;
  runtimeOf(functionLogicalId: string): FunctionRuntime;
}

/**
 * What each method's guard checks against: the template's Cognito authorizers on the local pools,
 * its TOKEN and REQUEST authorizers on their functions' runtimes, the usage plans, the gateway
 * responses.
 */
export function methodAccessOf(packaged: PackagedService, access: StackAccess, restApi: RestApiModel, wiring: AuthorizerWiring): MethodAccessDependencies {
  const { authorizers, lambdaAuthorizers } = readAccessModel(packaged.template);
  const cognito = [...authorizers].map(([logicalId, authorizer]): [string, MethodAuthorizer] => {
    const authorize = cognitoAuthorizer(authorizer, access.userPools);
    return [
      logicalId,
      (request, { scopes }) => {
        const decision = authorize(request.headers, scopes);
        return decision.authorized ? { authorized: true, authorizer: { claims: decision.claims } } : { authorized: false, refusal: "UNAUTHORIZED" };
      },
    ];
  });
  const lambda = [...lambdaAuthorizers].map(([logicalId, authorizer]): [string, MethodAuthorizer] => {
    const runtime = wiring.runtimeOf(authorizer.functionLogicalId);
    if (!runtime) throw new LocalAwsError(`${logicalId} runs ${authorizer.functionLogicalId}, which is not a function of this service`);
    return [logicalId, restLambdaAuthorizer(authorizer, (event, traced) => runtime.invoke(event, traced), wiring)];
  });
  return {
    authorizers: new Map([...cognito, ...lambda]),
    usagePlans: access.usagePlans,
    gatewayResponses: restApi.gatewayResponses,
    apiKeySource: restApi.apiKeySource,
  };
}
