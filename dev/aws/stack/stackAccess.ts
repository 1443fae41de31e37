import { cognitoAuthorizer } from "../apigateway/cognitoAuthorizer.ts";
import type { MethodAccessDependencies } from "../apigateway/methodAccess.ts";
import type { RestApiModel } from "../apigateway/restApiModel.ts";
import { UsagePlans } from "../apigateway/usagePlans.ts";
import { readAccessModel } from "../cloudformation/accessModel.ts";
import type { PackagedService } from "../cloudformation/packageService.ts";
import type { ResourceRegistry } from "../cloudformation/resourceRegistry.ts";
import { LocalUserPool } from "../cognito/userPool.ts";

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

/** What each method's guard checks against: the template's authorizers on the local pools, the usage plans, the gateway responses. */
export function methodAccessOf(packaged: PackagedService, access: StackAccess, restApi: RestApiModel): MethodAccessDependencies {
  const { authorizers } = readAccessModel(packaged.template);
  return {
    authorizers: new Map([...authorizers].map(([logicalId, authorizer]) => [logicalId, cognitoAuthorizer(authorizer, access.userPools)])),
    usagePlans: access.usagePlans,
    gatewayResponses: restApi.gatewayResponses,
  };
}
