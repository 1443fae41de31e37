import { describe, expect, it } from "vitest";
import { resolveIntrinsics, type IntrinsicContext } from "./intrinsics.ts";

const context: IntrinsicContext = {
  resources: new Map([
    ["WorkQueue", { ref: "http://localhost:4566/000000000000/work", attributes: { Arn: "arn:aws:sqs:eu-west-1:000000000000:work", QueueName: "work" } }],
  ]),
  pseudoParameters: { "AWS::Region": "eu-west-1", "AWS::AccountId": "000000000000", "AWS::Partition": "aws" },
};

describe("resolveIntrinsics", () => {
  it("resolves Ref to a resource and to a pseudo parameter", () => {
    expect(resolveIntrinsics({ Ref: "WorkQueue" }, context)).toBe("http://localhost:4566/000000000000/work");
    expect(resolveIntrinsics({ Ref: "AWS::Region" }, context)).toBe("eu-west-1");
  });

  it("resolves Fn::GetAtt inside nested objects and arrays", () => {
    expect(resolveIntrinsics({ policy: [{ target: { "Fn::GetAtt": ["WorkQueue", "Arn"] } }] }, context)).toEqual({
      policy: [{ target: "arn:aws:sqs:eu-west-1:000000000000:work" }],
    });
  });

  it("substitutes Fn::Sub variables, named and implicit", () => {
    const uri = {
      "Fn::Sub": [
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:path//${AWS::AccountId}/${queueName}",
        { queueName: { "Fn::GetAtt": ["WorkQueue", "QueueName"] } },
      ],
    };
    expect(resolveIntrinsics(uri, context)).toBe("arn:aws:apigateway:eu-west-1:sqs:path//000000000000/work");
    expect(resolveIntrinsics({ "Fn::Sub": "${WorkQueue.QueueName}-dlq" }, context)).toBe("work-dlq");
  });

  it("joins Fn::Join parts", () => {
    expect(resolveIntrinsics({ "Fn::Join": ["-", ["ponto", { Ref: "AWS::Region" }]] }, context)).toBe("ponto-eu-west-1");
  });

  it("names a reference the local stack cannot resolve instead of yielding undefined", () => {
    expect(() => resolveIntrinsics({ Ref: "AuroraCluster" }, context)).toThrow(
      "serverless.yml refers to AuroraCluster, which the local stack does not emulate",
    );
    expect(() => resolveIntrinsics({ "Fn::GetAtt": ["WorkQueue", "Endpoint"] }, context)).toThrow("WorkQueue.Endpoint");
  });
});
