import { LocalAwsError } from "../errors.ts";

/** An `AWS::ApiGatewayV2::Authorizer` of type REQUEST: an HTTP API's Lambda authorizer. */
export interface HttpLambdaAuthorizerDefinition {
  kind: "lambda";
  logicalId: string;
  name: string;
  functionLogicalId: string;
  /** AuthorizerPayloadFormatVersion: the event the function gets, and how its answer is read. */
  payloadFormatVersion: "1.0" | "2.0";
  /** EnableSimpleResponses: `{ isAuthorized, context }` instead of an IAM policy (2.0 only). */
  simpleResponses: boolean;
  /** "$request.header.Authorization", "$request.querystring.tenant", "$context.routeKey"; none when caching is off. */
  identitySources: string[];
  /** AuthorizerResultTtlInSeconds: 0 (the default) invokes the function for every request. */
  resultTtlSeconds: number;
}

/** The most an HTTP API keeps an authorizer's answer: one hour (AuthorizerResultTtlInSeconds). */
const MAX_TTL_SECONDS = 3600;

/**
 * An HTTP API Lambda authorizer as the template declares it (osls: `provider.httpApi.authorizers.X:
 * { type: request, functionName, … }`), checked as AWS checks it ("Working with AWS Lambda
 * authorizers for HTTP APIs", `AWS::ApiGatewayV2::Authorizer`): a payload format version is
 * required, simple responses need format 2.0, a cached result needs identity sources to key it
 * by. Its function must be one of the template's; `$stageVariables.X` is refused, the local
 * stack having no stage variables (every request would be a 401).
 *
 * @example
 * readLambdaAuthorizer("Auth (AWS::ApiGatewayV2::Authorizer)", "Auth", properties);
 * // { kind: "lambda", functionLogicalId: "AuthLambdaFunction", payloadFormatVersion: "2.0", simpleResponses: true, … }
 */
export function readLambdaAuthorizer(where: string, logicalId: string, properties: Record<string, unknown>): HttpLambdaAuthorizerDefinition {
  const functionLogicalId = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(JSON.stringify(properties.AuthorizerUri ?? ""))?.[1];
  if (functionLogicalId === undefined) {
    throw new LocalAwsError(
      `${where}: its AuthorizerUri names no function of this template (${JSON.stringify(properties.AuthorizerUri)}); ` +
        "the local stack runs an authorizer on a function of the service (provider.httpApi.authorizers.X.functionName)",
    );
  }
  const version = properties.AuthorizerPayloadFormatVersion === undefined ? undefined : String(properties.AuthorizerPayloadFormatVersion);
  if (version !== "1.0" && version !== "2.0") throw new LocalAwsError(`${where}: AuthorizerPayloadFormatVersion must be "1.0" or "2.0" (AWS requires it for a Lambda authorizer), got ${String(version)}`);
  const simpleResponses = properties.EnableSimpleResponses === true || properties.EnableSimpleResponses === "true";
  if (simpleResponses && version !== "2.0") throw new LocalAwsError(`${where}: EnableSimpleResponses needs AuthorizerPayloadFormatVersion 2.0, as on AWS`);
  const resultTtlSeconds = Number(properties.AuthorizerResultTtlInSeconds ?? 0);
  if (!Number.isInteger(resultTtlSeconds) || resultTtlSeconds < 0 || resultTtlSeconds > MAX_TTL_SECONDS) {
    throw new LocalAwsError(`${where}: AuthorizerResultTtlInSeconds must be a whole number from 0 to ${MAX_TTL_SECONDS}, got ${String(properties.AuthorizerResultTtlInSeconds)}`);
  }
  const identitySources = ((properties.IdentitySource as unknown[] | undefined) ?? []).filter((source) => source !== undefined && source !== null).map(String);
  for (const source of identitySources) {
    if (!/^\$(request\.(header|querystring)|context)\.[^\s]+$/.test(source)) {
      throw new LocalAwsError(
        `${where}: the identity source ${source} is not emulated; the local stack reads $request.header.X, $request.querystring.X and $context.X (it has no stage variables)`,
      );
    }
  }
  if (identitySources.length === 0 && resultTtlSeconds > 0) {
    throw new LocalAwsError(`${where}: a Lambda authorizer whose results are cached (AuthorizerResultTtlInSeconds ${resultTtlSeconds}) needs an IdentitySource to key them by, as API Gateway requires`);
  }
  return { kind: "lambda", logicalId, name: String(properties.Name ?? logicalId), functionLogicalId, payloadFormatVersion: version, simpleResponses, identitySources, resultTtlSeconds };
}
