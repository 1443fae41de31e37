import { readServiceModel, type CloudFormationTemplate } from "../aws/rules.ts";
import type { PlanOptions, PlannedService } from "./planModel.ts";
import type { PlanModel } from "./simulation.ts";

/**
 * A compiled template as the framework writes one for a queue, its DLQ and a consumer with a
 * cap, read by the stack's own readServiceModel: what the planner's tests plan.
 */
export function testService(
  overrides: { maximumConcurrency?: number; maxReceiveCount?: number; reservedConcurrency?: number; visibilityTimeout?: number; timeout?: number } = {},
): { planned: PlannedService; template: CloudFormationTemplate } {
  const template = {
    Resources: {
      OrdersQueue: {
        Type: "AWS::SQS::Queue",
        Properties: {
          QueueName: "shop-dev-orders",
          VisibilityTimeout: overrides.visibilityTimeout ?? 60,
          RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": ["OrdersDeadLetterQueue", "Arn"] }, maxReceiveCount: overrides.maxReceiveCount ?? 5 },
        },
      },
      OrdersDeadLetterQueue: { Type: "AWS::SQS::Queue", Properties: { QueueName: "shop-dev-orders-dlq" } },
      ConsumeLambdaFunction: {
        Type: "AWS::Lambda::Function",
        Properties: {
          FunctionName: "shop-dev-consume",
          Handler: "src/consume.handler",
          Runtime: "nodejs24.x",
          Timeout: overrides.timeout ?? 10,
          MemorySize: 512,
          ...(overrides.reservedConcurrency !== undefined && { ReservedConcurrentExecutions: overrides.reservedConcurrency }),
          Environment: { Variables: { PGHOST: "db.internal" } },
        },
      },
      ConsumeEventSourceMappingSQSOrdersQueue: {
        Type: "AWS::Lambda::EventSourceMapping",
        Properties: {
          BatchSize: 10,
          EventSourceArn: { "Fn::GetAtt": ["OrdersQueue", "Arn"] },
          FunctionName: { "Fn::GetAtt": ["ConsumeLambdaFunction", "Arn"] },
          FunctionResponseTypes: ["ReportBatchItemFailures"],
          ScalingConfig: { MaximumConcurrency: overrides.maximumConcurrency ?? 5 },
        },
      },
      OrdersDeadLetterAlarm: {
        Type: "AWS::CloudWatch::Alarm",
        Properties: {
          Namespace: "AWS/SQS",
          MetricName: "ApproximateNumberOfMessagesVisible",
          Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": ["OrdersDeadLetterQueue", "QueueName"] } }],
          Statistic: "Maximum",
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: "GreaterThanThreshold",
        },
      },
    },
  };
  return { planned: { model: readServiceModel(template), service: "shop", stage: "dev", ingressQueue: "OrdersQueue" }, template };
}

/** Options with nothing in the way but the settings under test: no edge limits hit, no cold starts, instant receives. */
export function testOptions(overrides: Partial<PlanOptions> = {}): PlanOptions {
  return {
    clocks: 100,
    retryAfterMs: 1_000,
    accountThrottle: { rateLimit: 10_000, burstLimit: 5_000 },
    accountConcurrency: 1_000,
    databaseMaxConnections: 100,
    environmentIdleMinutes: 5,
    coldStartMs: 0,
    receiveMs: 0,
    consumerMs: { "*": { p50: 200, p95: 200 } },
    recordFailureShare: 0,
    seed: 1,
    sqsInFlightLimit: 120_000,
    messageBytes: 300,
    ...overrides,
  };
}

/** One queue and one consumer, set by hand, for the analytic cases. */
export function singleConsumer(mapping: Partial<PlanModel["mappings"][number]> = {}, queue: Partial<PlanModel["queues"][number]> = {}): PlanModel {
  return {
    name: "test",
    ingressQueue: "Q",
    queues: [{ logicalId: "Q", name: "q", visibilityTimeoutMs: 60_000, maxReceiveCount: 5, hasDeadLetterQueue: true, ...queue }],
    mappings: [{
      queueLogicalId: "Q",
      functionName: "consume",
      usesDatabase: true,
      batchSize: 10,
      maximumBatchingWindowMs: 0,
      reportBatchItemFailures: true,
      scaling: { maximumConcurrency: 5 },
      timeoutMs: 10_000,
      memoryMegabytes: 512,
      batchDurationMs: () => 200,
      recordFailureShare: 0,
      maxRecordsPerInvocation: 10_000,
      coldStartMs: 0,
      receiveMs: 0,
      idleScaleDownMs: 60_000,
      longPollMs: 20_000,
      ...mapping,
    }],
    lambda: { accountConcurrency: 1_000, databaseMaxConnections: 100, environmentIdleMs: 300_000 },
    seed: 1,
  };
}
