import { describe, expect, it } from "vitest";
import { readHttpApi } from "./httpApiModel.ts";

/**
 * Resources as osls 4.3.1 compiles httpApi events (`npx serverless package` of
 * integration/fixtures/httpApiService), plus a route a team declares in resources.
 */
const compiled = {
  HttpApi: {
    Type: "AWS::ApiGatewayV2::Api",
    Properties: { Name: "t1-http-api-service", ProtocolType: "HTTP", CorsConfiguration: { AllowHeaders: ["Content-Type"], AllowMethods: ["GET", "POST"], AllowOrigins: ["https://app.example.com"], MaxAge: 600 } },
  },
  HttpApiStage: { Type: "AWS::ApiGatewayV2::Stage", Properties: { ApiId: { Ref: "HttpApi" }, StageName: "$default", AutoDeploy: true, DefaultRouteSettings: { DetailedMetricsEnabled: false } } },
  HttpApiAuthorizerLocalPool: {
    Type: "AWS::ApiGatewayV2::Authorizer",
    Properties: { ApiId: { Ref: "HttpApi" }, Name: "localPool", IdentitySource: ["$request.header.Authorization"], AuthorizerType: "JWT", JwtConfiguration: { Audience: [{ Ref: "WebClient" }], Issuer: "https://issuer" } },
  },
  HttpApiIntegrationItem: {
    Type: "AWS::ApiGatewayV2::Integration",
    Properties: { ApiId: { Ref: "HttpApi" }, IntegrationType: "AWS_PROXY", IntegrationUri: { "Fn::GetAtt": ["ItemLambdaFunction", "Arn"] }, PayloadFormatVersion: "2.0", TimeoutInMillis: 30000 },
  },
  HttpApiIntegrationLegacy: {
    Type: "AWS::ApiGatewayV2::Integration",
    Properties: { ApiId: { Ref: "HttpApi" }, IntegrationType: "AWS_PROXY", IntegrationUri: { "Fn::GetAtt": ["LegacyLambdaFunction", "Arn"] }, PayloadFormatVersion: "1.0", TimeoutInMillis: 30000 },
  },
  HttpApiRouteGetItemsIdVar: { Type: "AWS::ApiGatewayV2::Route", Properties: { ApiId: { Ref: "HttpApi" }, RouteKey: "GET /items/{id}", Target: { "Fn::Join": ["/", ["integrations", { Ref: "HttpApiIntegrationItem" }]] } } },
  HttpApiRouteDefault: { Type: "AWS::ApiGatewayV2::Route", Properties: { ApiId: { Ref: "HttpApi" }, RouteKey: "$default", Target: { "Fn::Join": ["/", ["integrations", { Ref: "HttpApiIntegrationLegacy" }]] } } },
  EntriesIntegration: {
    Type: "AWS::ApiGatewayV2::Integration",
    Properties: { ApiId: { Ref: "HttpApi" }, IntegrationType: "AWS_PROXY", IntegrationSubtype: "SQS-SendMessage", PayloadFormatVersion: "1.0", RequestParameters: { QueueUrl: { Ref: "EntriesQueue" }, MessageBody: "$request.body" } },
  },
  EntriesRoute: {
    Type: "AWS::ApiGatewayV2::Route",
    Properties: { ApiId: { Ref: "HttpApi" }, RouteKey: "POST /entries", Target: { "Fn::Join": ["/", ["integrations", { Ref: "EntriesIntegration" }]] }, AuthorizationType: "JWT", AuthorizerId: { Ref: "HttpApiAuthorizerLocalPool" }, AuthorizationScopes: ["entries/write"] },
  },
};
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
const templateWith = (changes: Resources = {}) => ({ Resources: { ...compiled, ...changes } as Resources });
const withProperties = (logicalId: keyof typeof compiled, properties: Record<string, unknown>): Resources => ({
  [logicalId]: { ...compiled[logicalId], Properties: { ...compiled[logicalId].Properties, ...properties } },
});

describe("the HTTP API read from the compiled template", () => {
  it("reads routes, their integrations with the payload format, the JWT authorizer, CORS and the $default stage", () => {
    const api = readHttpApi(templateWith())!;
    expect(api.stageName).toBe("$default");
    expect(api.routes.map((route) => [route.routeKey, route.integration.kind])).toEqual([
      ["GET /items/{id}", "lambda"],
      ["$default", "lambda"],
      ["POST /entries", "sqs-send-message"],
    ]);
    expect(api.routes[0]!.integration).toMatchObject({ functionLogicalId: "ItemLambdaFunction", payloadFormatVersion: "2.0", timeoutMs: 30_000 });
    expect(api.routes[1]!.integration).toMatchObject({ payloadFormatVersion: "1.0" });
    expect(api.routes[2]!.authorization).toEqual({ authorizerLogicalId: "HttpApiAuthorizerLocalPool", scopes: ["entries/write"] });
    expect(api.authorizers.get("HttpApiAuthorizerLocalPool")).toMatchObject({ identitySource: ["$request.header.Authorization"], issuer: "https://issuer", audience: [{ Ref: "WebClient" }] });
    expect(api.cors).toEqual({ allowOrigins: ["https://app.example.com"], allowMethods: ["GET", "POST"], allowHeaders: ["Content-Type"], exposeHeaders: [], allowCredentials: false, maxAge: 600 });
  });

  it("takes 2.0 when the integration names no payload format, and caps its timeout at HTTP APIs' 30 seconds", () => {
    const api = readHttpApi(templateWith(withProperties("HttpApiIntegrationItem", { PayloadFormatVersion: undefined, TimeoutInMillis: 60_000 })))!;
    expect(api.routes[0]!.integration).toMatchObject({ payloadFormatVersion: "2.0", timeoutMs: 30_000 });
  });

  it("reads the stage's default and per-route throttling", () => {
    const stage = withProperties("HttpApiStage", {
      DefaultRouteSettings: { ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5 },
      RouteSettings: { "POST /entries": { ThrottlingBurstLimit: 1, ThrottlingRateLimit: 1 } },
    });
    const { throttling } = readHttpApi(templateWith(stage))!;
    expect(throttling.default).toEqual({ burstLimit: 10, rateLimit: 5 });
    expect(throttling.byRouteKey.get("POST /entries")).toEqual({ burstLimit: 1, rateLimit: 1 });
  });

  it("has none for a template without one, and refuses routes of an API the template does not declare (provider.httpApi.id)", () => {
    expect(readHttpApi({ Resources: {} })).toBeUndefined();
    const external = { HttpApiRouteGetItemsIdVar: { ...compiled.HttpApiRouteGetItemsIdVar, Properties: { ...compiled.HttpApiRouteGetItemsIdVar.Properties, ApiId: "abc123" } } };
    expect(() => readHttpApi({ Resources: external })).toThrow(/nothing serves locally: HttpApiRouteGetItemsIdVar \(AWS::ApiGatewayV2::Route, ApiId "abc123"\)/);
  });

  it("refuses what it does not emulate, naming the resource: a WebSocket API, a Lambda authorizer, IAM authorization, an HTTP proxy", () => {
    expect(() => readHttpApi(templateWith(withProperties("HttpApi", { ProtocolType: "WEBSOCKET" })))).toThrow(/HttpApi \(AWS::ApiGatewayV2::Api\): a WEBSOCKET API is not emulated/);
    expect(() => readHttpApi(templateWith(withProperties("HttpApiAuthorizerLocalPool", { AuthorizerType: "REQUEST" })))).toThrow(
      /HttpApiAuthorizerLocalPool \(AWS::ApiGatewayV2::Authorizer\): an HTTP API Lambda authorizer \(AuthorizerType REQUEST\) is not emulated/,
    );
    expect(() => readHttpApi(templateWith(withProperties("EntriesRoute", { AuthorizationType: "AWS_IAM" })))).toThrow(/EntriesRoute \(POST \/entries\): AuthorizationType AWS_IAM is not emulated/);
    expect(() => readHttpApi(templateWith(withProperties("HttpApiIntegrationItem", { IntegrationType: "HTTP_PROXY" })))).toThrow(/HttpApiIntegrationItem .*HTTP_PROXY is not emulated/);
    expect(() => readHttpApi(templateWith(withProperties("EntriesIntegration", { IntegrationSubtype: "SQS-ReceiveMessage" })))).toThrow(/subtype SQS-ReceiveMessage is not emulated/);
  });
});
