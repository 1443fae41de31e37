import { describe, expect, it } from "vitest";
import { evaluatePolicy, executeApiArn, readPolicyDocument, type PolicyStatement } from "./authorizerPolicy.ts";

const statementsOf = (document: unknown): PolicyStatement[] => {
  const read = readPolicyDocument(document);
  if ("malformed" in read) throw new Error(read.malformed);
  return read.statements;
};
const allow = (...resources: string[]) => ({ Effect: "Allow", Action: "execute-api:Invoke", Resource: resources });
const deny = (...resources: string[]) => ({ Effect: "Deny", Action: "execute-api:Invoke", Resource: resources });
const policy = (...statements: unknown[]) => statementsOf({ Version: "2012-10-17", Statement: statements });

// The method ARN of the TOKEN authorizer event Powertools recorded on AWS (apigw-rest/authorizer-token.json).
const recordedArn = "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/POST/lambda-token";

describe("the method ARN", () => {
  it("is the one AWS sends a Lambda authorizer for the same call: the path as called, without its leading slash", () => {
    expect(executeApiArn({ region: "eu-west-1", accountId: "123456789012", apiId: "puhdx84jy9", stage: "prod", method: "POST", path: "/lambda-token" })).toBe(recordedArn);
  });

  it("ends in the method and a slash for the API's root, as in the Powertools parser's TOKEN example (…/prod/GET/)", () => {
    expect(executeApiArn({ region: "us-west-2", accountId: "123456789012", apiId: "ymy8tbxw7b", stage: "prod", method: "GET", path: "/" })).toBe(
      "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/GET/",
    );
  });
});

describe("an authorizer's IAM policy, evaluated against the method ARN", () => {
  it("allows the method the policy names, and implicitly denies any other (the blueprint's Resource: event.methodArn)", () => {
    const statements = policy(allow(recordedArn));
    expect(evaluatePolicy(statements, recordedArn)).toBe("allow");
    expect(evaluatePolicy(statements, recordedArn.replace("/POST/", "/GET/"))).toBe("implicit-deny");
    expect(evaluatePolicy(statements, `${recordedArn}/child`)).toBe("implicit-deny");
  });

  it("lets a Deny that matches win over any Allow (IAM: an explicit deny overrides allows)", () => {
    const statements = policy(allow("arn:aws:execute-api:*"), deny("arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/POST/*"));
    expect(evaluatePolicy(statements, recordedArn)).toBe("explicit-deny");
    expect(evaluatePolicy(statements, recordedArn.replace("/POST/", "/GET/"))).toBe("allow");
  });

  // "IAM policy examples for API execution permissions" (API Gateway developer guide).
  it("reads the developer guide's examples: any POST under a path in one stage, and one path in any stage with any method", () => {
    const underPath = policy(allow("arn:aws:execute-api:us-east-1:*:a123456789/test/POST/my-demo-resource-path/*"));
    expect(evaluatePolicy(underPath, "arn:aws:execute-api:us-east-1:111122223333:a123456789/test/POST/my-demo-resource-path/1/items")).toBe("allow");
    expect(evaluatePolicy(underPath, "arn:aws:execute-api:us-east-1:111122223333:a123456789/prod/POST/my-demo-resource-path/1")).toBe("implicit-deny");
    const anyStage = policy(allow("arn:aws:execute-api:*:*:a123456789/*/*/petstorewalkthrough/pets"));
    expect(evaluatePolicy(anyStage, "arn:aws:execute-api:eu-west-1:111122223333:a123456789/dev/DELETE/petstorewalkthrough/pets")).toBe("allow");
    expect(evaluatePolicy(anyStage, "arn:aws:execute-api:eu-west-1:111122223333:b987654321/dev/DELETE/petstorewalkthrough/pets")).toBe("implicit-deny");
  });

  // "IAM JSON policy elements: Resource": * and ? within a segment; a * that ends a segment may run past colons.
  it("matches * and ? within a segment between colons, and lets a * that ends a segment run on past them", () => {
    expect(evaluatePolicy(policy(allow("arn:aws:execute-api:eu-west-?:123456789012:puhdx84jy9/prod/POST/lambda-token")), recordedArn)).toBe("allow");
    expect(evaluatePolicy(policy(allow("arn:aws:execute-api:eu-*-1:123456789012:puhdx84jy9/prod/*")), recordedArn)).toBe("allow");
    expect(evaluatePolicy(policy(allow("arn:aws:execute-api:eu*1:123456789012:puhdx84jy9/prod/*")), recordedArn)).toBe("allow");
    expect(evaluatePolicy(policy(allow("arn:aws:execute-api:e*2:puhdx84jy9/prod/*")), recordedArn)).toBe("implicit-deny");
    expect(evaluatePolicy(policy(allow("arn:aws:execute-api:eu-west-1:*")), recordedArn)).toBe("allow");
    expect(evaluatePolicy(policy(allow("*")), recordedArn)).toBe("allow");
  });

  it("takes the action execute-api:Invoke, execute-api:* or *, in any case, and no other action", () => {
    const withAction = (Action: unknown) => policy({ Effect: "Allow", Action, Resource: "*" });
    expect(evaluatePolicy(withAction("execute-api:*"), recordedArn)).toBe("allow");
    expect(evaluatePolicy(withAction(["s3:GetObject", "Execute-API:invoke"]), recordedArn)).toBe("allow");
    expect(evaluatePolicy(withAction("*"), recordedArn)).toBe("allow");
    expect(evaluatePolicy(withAction("execute-api:ManageConnections"), recordedArn)).toBe("implicit-deny");
  });

  it("takes a single Statement object, as IAM does, and refuses a document it cannot read, saying why", () => {
    expect(evaluatePolicy(statementsOf({ Statement: allow(recordedArn) }), recordedArn)).toBe("allow");
    expect(readPolicyDocument(undefined)).toEqual({ malformed: "policyDocument is missing or not an object" });
    expect(readPolicyDocument({ Version: "2012-10-17" })).toEqual({ malformed: "policyDocument has no Statement" });
    expect(readPolicyDocument({ Statement: [{ Effect: "allow", Action: "execute-api:Invoke", Resource: "*" }] })).toEqual({
      malformed: 'policyDocument.Statement[0].Effect must be "Allow" or "Deny", not "allow"',
    });
    expect(readPolicyDocument({ Statement: [{ Effect: "Allow", Action: "execute-api:Invoke" }] })).toEqual({
      malformed: "policyDocument.Statement[0].Resource must be a string or a list of strings",
    });
    expect(readPolicyDocument({ Statement: [{ Effect: "Allow", NotAction: "s3:*", Resource: "*" }] })).toMatchObject({ malformed: expect.stringContaining("NotAction") });
  });
});
