import { describe, expect, it } from "vitest";
import { EMULATED_RESOURCE_TYPES, notEmulated } from "./emulatedResources.ts";

const templateOf = (resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>) => ({ Resources: resources });

describe("what a template declares that the local stack does not emulate", () => {
  it("runs an HTTP API's types, warns of its custom domain as deployed on AWS only, and refuses a WebSocket API's responses", () => {
    const template = templateOf({
      HttpApi: { Type: "AWS::ApiGatewayV2::Api" },
      HttpApiRouteGetHello: { Type: "AWS::ApiGatewayV2::Route" },
      HttpApiDomain: { Type: "AWS::ApiGatewayV2::DomainName" },
    });
    expect(notEmulated(template).warnings).toEqual(["not emulated, deployed on AWS only: AWS::ApiGatewayV2::DomainName (1)"]);
    const webSocket = templateOf({ SocketRouteResponse: { Type: "AWS::ApiGatewayV2::RouteResponse" } });
    expect(() => notEmulated(webSocket)).toThrow(/SocketRouteResponse \(AWS::ApiGatewayV2::RouteResponse\): a WebSocket API's route response/);
  });

  it("lists the other types, counted, as deployed on AWS only, and nothing it emulates", () => {
    const template = templateOf({
      Queue: { Type: "AWS::SQS::Queue" },
      Consume: { Type: "AWS::Lambda::Function" },
      ConsumeLogGroup: { Type: "AWS::Logs::LogGroup" },
      OtherLogGroup: { Type: "AWS::Logs::LogGroup" },
      DlqAlarm: { Type: "AWS::CloudWatch::Alarm" },
    });
    expect(notEmulated(template).warnings).toEqual(["not emulated, deployed on AWS only: AWS::CloudWatch::Alarm (1), AWS::Logs::LogGroup (2)"]);
    expect(notEmulated(templateOf({ Queue: { Type: "AWS::SQS::Queue" } })).warnings).toEqual([]);
  });

  it("warns that a bucket's notifications (s3 events) reach nobody locally", () => {
    const template = templateOf({ Uploads: { Type: "AWS::S3::Bucket", Properties: { NotificationConfiguration: { LambdaConfigurations: [] } } } });
    expect(notEmulated(template).warnings).toEqual([expect.stringContaining("Uploads: the bucket's NotificationConfiguration (s3 events) is not emulated")]);
  });

  // What the framework compiles for `schedule: rate(1 minute)` (serverless/examples aws-node-scheduled-cron).
  it("warns of each schedule, naming the function nothing invokes locally", () => {
    const template = templateOf({
      RateHandlerEventsRuleSchedule1: {
        Type: "AWS::Events::Rule",
        Properties: { ScheduleExpression: "rate(1 minute)", State: "ENABLED", Targets: [{ Arn: { "Fn::GetAtt": ["RateHandlerLambdaFunction", "Arn"] }, Id: "rateHandlerSchedule" }] },
      },
    });
    expect(notEmulated(template).warnings).toEqual([
      "not emulated, deployed on AWS only: AWS::Events::Rule (1)",
      "RateHandlerEventsRuleSchedule1: the schedule rate(1 minute) (an EventBridge rule) is not emulated; nothing invokes RateHandlerLambdaFunction on it locally",
    ]);
  });

  it("keeps its list of emulated types in one place, the types the model and API Gateway read among them", () => {
    for (const type of ["AWS::SQS::Queue", "AWS::Lambda::EventSourceMapping", "AWS::ApiGateway::Method", "AWS::Cognito::UserPool"]) expect(EMULATED_RESOURCE_TYPES.has(type)).toBe(true);
  });
});
