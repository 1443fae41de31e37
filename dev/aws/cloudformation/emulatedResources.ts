import { LocalAwsError } from "../errors.ts";
import type { CloudFormationTemplate } from "./intrinsics.ts";

/**
 * The one list of the resource types the local stack reads from a compiled template and runs:
 * SQS queues, S3 buckets, Lambda functions and their SQS event source mappings, an API Gateway
 * REST API (the framework's `http` events and service proxies) with its authorizers, keys and
 * usage plans, an HTTP API (`httpApi` events: API Gateway v2 with ProtocolType HTTP, its routes,
 * Lambda and SQS-SendMessage integrations, JWT and Lambda authorizers and stage), and Cognito user pools for
 * the authorizers. A WebSocket API is refused by apigatewayv2/httpApiModel.ts; the other v2 types
 * (custom domains, VPC links) are in the warning, deployed on AWS only.
 */
export const EMULATED_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  "AWS::SQS::Queue",
  "AWS::S3::Bucket",
  "AWS::Lambda::Function",
  "AWS::Lambda::EventSourceMapping",
  "AWS::ApiGateway::RestApi",
  "AWS::ApiGateway::Resource",
  "AWS::ApiGateway::Method",
  "AWS::ApiGateway::Deployment",
  "AWS::ApiGateway::Authorizer",
  "AWS::ApiGateway::RequestValidator",
  "AWS::ApiGateway::Model",
  "AWS::ApiGateway::GatewayResponse",
  "AWS::ApiGateway::ApiKey",
  "AWS::ApiGateway::UsagePlan",
  "AWS::ApiGateway::UsagePlanKey",
  "AWS::ApiGatewayV2::Api",
  "AWS::ApiGatewayV2::Stage",
  "AWS::ApiGatewayV2::Integration",
  "AWS::ApiGatewayV2::Route",
  "AWS::ApiGatewayV2::Authorizer",
  "AWS::Cognito::UserPool",
  "AWS::Cognito::UserPoolClient",
  "AWS::Cognito::UserPoolResourceServer",
  "AWS::Cognito::UserPoolGroup",
]);

/**
 * Types a service cannot work without when they are not emulated: what they would serve is
 * served by nobody locally, so the stack refuses to start rather than answer 404s.
 */
const REFUSED: readonly { prefix: string; why: string }[] = [
  { prefix: "AWS::ApiGatewayV2::RouteResponse", why: "a WebSocket API's route response; WebSocket APIs are not emulated" },
  { prefix: "AWS::ApiGatewayV2::IntegrationResponse", why: "a WebSocket API's integration response; WebSocket APIs are not emulated" },
  { prefix: "AWS::Lambda::Url", why: "a function URL; nothing would serve it" },
  { prefix: "AWS::AppSync::", why: "an AppSync API; nothing would serve it" },
];

/**
 * What the template declares that the local stack does not emulate: a refusal for what the
 * service cannot work without, a warning listing the rest (alarms, log groups, roles: deployed on
 * AWS, not locally), and a warning for a bucket's notifications and for each schedule, which no
 * event reaches locally.
 *
 * @example
 * notEmulated(template).warnings; // ["not emulated, deployed on AWS only: AWS::CloudWatch::Alarm (2), AWS::Logs::LogGroup (3)"]
 */
export function notEmulated(template: CloudFormationTemplate): { warnings: string[] } {
  const resources = Object.entries(template.Resources ?? {}) as [string, { Type: string; Properties?: Record<string, unknown> }][];
  const refusals = resources.flatMap(([logicalId, { Type }]) => {
    const refused = REFUSED.find(({ prefix }) => Type.startsWith(prefix));
    return refused ? [`${logicalId} (${Type}): ${refused.why}`] : [];
  });
  if (refusals.length > 0) throw new LocalAwsError(`the template declares what the local stack does not emulate:\n  ${refusals.join("\n  ")}`);

  const counts = new Map<string, number>();
  for (const [, { Type }] of resources) if (!EMULATED_RESOURCE_TYPES.has(Type)) counts.set(Type, (counts.get(Type) ?? 0) + 1);
  const notifications = resources
    .filter(([, { Type, Properties }]) => Type === "AWS::S3::Bucket" && Properties?.NotificationConfiguration !== undefined)
    .map(([logicalId]) => `${logicalId}: the bucket's NotificationConfiguration (s3 events) is not emulated; no event reaches its targets locally`);
  // A schedule (EventBridge rule) is how its targets run at all: each is named, with what it would invoke.
  const schedules = resources
    .filter(([, { Type, Properties }]) => Type === "AWS::Events::Rule" && Properties?.ScheduleExpression !== undefined)
    .map(([logicalId, { Properties }]) => {
      const targets = ((Properties!.Targets as Array<{ Arn?: { "Fn::GetAtt"?: [string, string] } }> | undefined) ?? []).map((target) => target.Arn?.["Fn::GetAtt"]?.[0] ?? "a target");
      return `${logicalId}: the schedule ${String(Properties!.ScheduleExpression)} (an EventBridge rule) is not emulated; nothing invokes ${targets.join(", ") || "its targets"} on it locally`;
    });
  const listed = [...counts].sort(([first], [second]) => first.localeCompare(second)).map(([type, count]) => `${type} (${count})`);
  return { warnings: [...(listed.length > 0 ? [`not emulated, deployed on AWS only: ${listed.join(", ")}`] : []), ...notifications, ...schedules] };
}
