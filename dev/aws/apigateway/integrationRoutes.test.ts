import { describe, expect, it } from "vitest";
import type { CloudFormationTemplate } from "../cloudformation/intrinsics.ts";
import { readRestApi, type MockIntegrationRoute, type SqsIntegrationRoute } from "./restApiModel.ts";
import { LocalAwsError } from "../errors.ts";
import type { ApiRequest } from "./apiTypes.ts";
import { mockIntegrationRoute, mockStatusCode } from "./mockIntegrationRoute.ts";
import { sqsIntegrationRoute } from "./sqsIntegrationRoute.ts";
import type { OutgoingMessage } from "../sqs/queueSender.ts";

/**
 * What serverless-apigateway-service-proxy 2.2.2 (with osls 4.3.1) compiles, verbatim, for
 * `sqs: { path: /messages, method: post, queueName: { "Fn::GetAtt": [WorkQueue, QueueName] }, cors: true }`.
 */
const COMPILED_METHODS = 
{
    "ApiGatewayResourceMessages": {
      "Type": "AWS::ApiGateway::Resource",
      "Properties": {
        "ParentId": {
          "Fn::GetAtt": [
            "ApiGatewayRestApi",
            "RootResourceId"
          ]
        },
        "PathPart": "messages",
        "RestApiId": {
          "Ref": "ApiGatewayRestApi"
        }
      }
    },
    "ApiGatewayMethodMessagesOptions": {
      "Type": "AWS::ApiGateway::Method",
      "Properties": {
        "AuthorizationType": "NONE",
        "HttpMethod": "OPTIONS",
        "MethodResponses": [
          {
            "StatusCode": "200",
            "ResponseParameters": {
              "method.response.header.Access-Control-Allow-Origin": true,
              "method.response.header.Access-Control-Allow-Headers": true,
              "method.response.header.Access-Control-Allow-Methods": true
            },
            "ResponseModels": {}
          }
        ],
        "RequestParameters": {},
        "Integration": {
          "Type": "MOCK",
          "RequestTemplates": {
            "application/json": "{statusCode:200}"
          },
          "ContentHandling": "CONVERT_TO_TEXT",
          "IntegrationResponses": [
            {
              "StatusCode": "200",
              "ResponseParameters": {
                "method.response.header.Access-Control-Allow-Origin": "'*'",
                "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent'",
                "method.response.header.Access-Control-Allow-Methods": "'OPTIONS,POST'"
              },
              "ResponseTemplates": {
                "application/json": "#set($origin = $input.params(\"Origin\"))\n#if($origin == \"\") #set($origin = $input.params(\"origin\")) #end\n#if($origin.matches(\".+\")) #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin) #end"
              }
            }
          ]
        },
        "ResourceId": {
          "Ref": "ApiGatewayResourceMessages"
        },
        "RestApiId": {
          "Ref": "ApiGatewayRestApi"
        }
      }
    },
    "ApiGatewayMethodMessagesPost": {
      "Type": "AWS::ApiGateway::Method",
      "Properties": {
        "HttpMethod": "POST",
        "RequestParameters": {},
        "AuthorizationType": "NONE",
        "ApiKeyRequired": false,
        "ResourceId": {
          "Ref": "ApiGatewayResourceMessages"
        },
        "RestApiId": {
          "Ref": "ApiGatewayRestApi"
        },
        "Integration": {
          "IntegrationHttpMethod": "POST",
          "Type": "AWS",
          "Credentials": {
            "Fn::GetAtt": [
              "ApigatewayToSqsRole",
              "Arn"
            ]
          },
          "Uri": {
            "Fn::Sub": [
              "arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:path//${AWS::AccountId}/${queueName}",
              {
                "queueName": {
                  "Fn::GetAtt": [
                    "WorkQueue",
                    "QueueName"
                  ]
                }
              }
            ]
          },
          "RequestParameters": {
            "integration.request.querystring.Action": "'SendMessage'",
            "integration.request.querystring.MessageBody": "method.request.body"
          },
          "RequestTemplates": {
            "application/json": "{statusCode:200}"
          },
          "IntegrationResponses": [
            {
              "StatusCode": 200,
              "SelectionPattern": 200,
              "ResponseParameters": {
                "method.response.header.Access-Control-Allow-Origin": "'*'"
              },
              "ResponseTemplates": {}
            },
            {
              "StatusCode": 400,
              "SelectionPattern": 400,
              "ResponseParameters": {
                "method.response.header.Access-Control-Allow-Origin": "'*'"
              },
              "ResponseTemplates": {}
            },
            {
              "StatusCode": 500,
              "SelectionPattern": 500,
              "ResponseParameters": {
                "method.response.header.Access-Control-Allow-Origin": "'*'"
              },
              "ResponseTemplates": {}
            }
          ]
        },
        "MethodResponses": [
          {
            "ResponseParameters": {
              "method.response.header.Access-Control-Allow-Origin": "'*'"
            },
            "ResponseModels": {},
            "StatusCode": 200
          },
          {
            "ResponseParameters": {
              "method.response.header.Access-Control-Allow-Origin": "'*'"
            },
            "ResponseModels": {},
            "StatusCode": 400
          },
          {
            "ResponseParameters": {
              "method.response.header.Access-Control-Allow-Origin": "'*'"
            },
            "ResponseModels": {},
            "StatusCode": 500
          }
        ]
      }
    }
  }
;

const template = (resources: Record<string, unknown> = {}): CloudFormationTemplate =>
  ({ Resources: { ...structuredClone(COMPILED_METHODS), ...resources } }) as unknown as CloudFormationTemplate;

const routesOf = (compiled: CloudFormationTemplate) => readRestApi(compiled).routes;

function apiRequest(overrides: Partial<ApiRequest>): ApiRequest {
  return {
    method: "POST",
    path: "/messages",
    pathParameters: {},
    query: new URLSearchParams(),
    headers: {},
    sentHeaders: [],
    body: "",
    requestId: "req-1",
    requestTimeEpoch: 1_795_400_000_000,
    sourceIp: "127.0.0.1",
    ...overrides,
  };
}

function defaultsRoutes() {
  const routes = routesOf(template());
  const preflight = routes.find((route): route is MockIntegrationRoute => route.kind === "mock")!;
  const post = routes.find((route): route is SqsIntegrationRoute => route.kind === "sqs")!;
  return { preflight, post };
}

const noGatewayResponses = new Map();

function sqsRouteWithSender(route: SqsIntegrationRoute) {
  const sent: OutgoingMessage[] = [];
  const handle = sqsIntegrationRoute(route, {
    send: async (message) => {
      sent.push(message);
      return { MessageId: "m-1", MD5OfMessageBody: "md5", MD5OfMessageAttributes: null, MD5OfMessageSystemAttributes: null, SequenceNumber: null };
    },
    gatewayResponses: noGatewayResponses,
    stage: "dev",
  });
  return { handle, sent };
}

describe("the CORS preflight the service proxy plugin compiles (a MOCK integration)", () => {
  const { preflight } = defaultsRoutes();
  const handle = mockIntegrationRoute(preflight, { gatewayResponses: noGatewayResponses, stage: "dev" });

  it("answers 200 with the compiled methods and headers, echoing the request's Origin", async () => {
    const response = await handle(apiRequest({ method: "OPTIONS", headers: { origin: "https://app.example" } }));
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      "Access-Control-Allow-Origin": "https://app.example",
      "Access-Control-Allow-Methods": "OPTIONS,POST",
      "Access-Control-Allow-Headers": "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent",
    });
  });

  it("answers '*' when the request has no Origin", async () => {
    const response = await handle(apiRequest({ method: "OPTIONS" }));
    expect(response.headers?.["Access-Control-Allow-Origin"]).toBe("*");
  });

  it("reads the status from a lenient request template, 200 when it names none", () => {
    expect(mockStatusCode("{statusCode:200}")).toBe(200);
    expect(mockStatusCode('{ "statusCode": 404 }')).toBe(404);
    expect(mockStatusCode("")).toBe(200);
  });
});

describe("the SQS proxy with the plugin's defaults (query string parameters, no passthrough setting)", () => {
  const { post } = defaultsRoutes();

  it("sends the raw body as the message and passes SQS's answer through with the static CORS header", async () => {
    const { handle, sent } = sqsRouteWithSender(post);
    const body = '{"hello":"world & more"}';
    const response = await handle(apiRequest({ headers: { "content-type": "application/json" }, body }));
    expect(sent.map((message) => message.body)).toEqual([body]);
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ "Access-Control-Allow-Origin": "*" });
    expect(JSON.parse(String(response.body))).toMatchObject({ SendMessageResponse: { SendMessageResult: { MessageId: "m-1" } } });
  });

  it("answers with SQS's SendMessageResponse as AWS does: every key, in AWS's order, null where SQS had no value", async () => {
    // What API Gateway's SQS integration answered on AWS, from AWS's serverless patterns
    // (aws-samples, MIT-0; README of a REST API → SQS pattern):
    const onAws = JSON.parse(
      '{"SendMessageResponse":{"ResponseMetadata":{"RequestId":"2e75dac6-4f87-52ab-8fa4-8615640b84f4"},"SendMessageResult":{"MD5OfMessageAttributes":null,"MD5OfMessageBody":"0d7ac2dec5f281678f65dcf7fe4681ba","MD5OfMessageSystemAttributes":null,"MessageId":"9d72cd66-5aaf-4c0f-8f03-8fc96b7a45e1","SequenceNumber":null}}}',
    ) as { SendMessageResponse: { SendMessageResult: Record<string, unknown> } };
    const { handle } = sqsRouteWithSender(post);
    const answer = JSON.parse(String((await handle(apiRequest({ headers: { "content-type": "application/json" }, body: "{}" }))).body)) as typeof onAws;
    expect(Object.keys(answer.SendMessageResponse)).toEqual(Object.keys(onAws.SendMessageResponse));
    expect(Object.keys(answer.SendMessageResponse.SendMessageResult)).toEqual(Object.keys(onAws.SendMessageResponse.SendMessageResult));
    expect(answer.SendMessageResponse.SendMessageResult).toMatchObject({ MD5OfMessageAttributes: null, MD5OfMessageSystemAttributes: null, SequenceNumber: null });
  });

  it("passes a content type without a template through (WHEN_NO_MATCH): a text/plain body is still queued", async () => {
    const { handle, sent } = sqsRouteWithSender(post);
    const response = await handle(apiRequest({ headers: { "content-type": "text/plain" }, body: "plain words" }));
    expect(response.statusCode).toBe(200);
    expect(sent.map((message) => message.body)).toEqual(["plain words"]);
  });

  it("refuses a content type without a template with a 415 under PassthroughBehavior NEVER", async () => {
    const never = template();
    (never.Resources.ApiGatewayMethodMessagesPost!.Properties!.Integration as Record<string, unknown>).PassthroughBehavior = "NEVER";
    const route = routesOf(never).find((candidate): candidate is SqsIntegrationRoute => candidate.kind === "sqs")!;
    const { handle, sent } = sqsRouteWithSender(route);
    const response = await handle(apiRequest({ headers: { "content-type": "text/plain" }, body: "plain words" }));
    expect(response.statusCode).toBe(415);
    expect(JSON.parse(String(response.body))).toEqual({ message: "Unsupported Media Type" });
    expect(sent).toEqual([]);
  });
});

describe("the SQS proxy with a custom request template (the plugin's other branch)", () => {
  it("sends what the form-encoded template renders, message attributes included", async () => {
    const custom = template();
    Object.assign(custom.Resources.ApiGatewayMethodMessagesPost!.Properties!.Integration as Record<string, unknown>, {
      PassthroughBehavior: "NEVER",
      RequestParameters: { "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'" },
      RequestTemplates: {
        "application/json":
          "Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageAttribute.1.Name=requestId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$context.requestId",
      },
    });
    const route = routesOf(custom).find((candidate): candidate is SqsIntegrationRoute => candidate.kind === "sqs")!;
    const { handle, sent } = sqsRouteWithSender(route);
    const response = await handle(apiRequest({ body: '{"a":1}' }));
    expect(response.statusCode).toBe(200);
    expect(sent).toEqual([{ body: '{"a":1}', attributes: { requestId: { DataType: "String", StringValue: "req-1" } } }]);
  });
});

describe("what the local stack cannot run fails the start, naming the method", () => {
  const integrationOf = (compiled: CloudFormationTemplate) =>
    compiled.Resources.ApiGatewayMethodMessagesPost!.Properties!.Integration as Record<string, unknown>;

  it("refuses a stage variable in a request parameter", () => {
    const compiled = template();
    (integrationOf(compiled).RequestParameters as Record<string, string>)["integration.request.querystring.Version"] = "stageVariables.version";
    expect(() => routesOf(compiled)).toThrow(LocalAwsError);
    expect(() => routesOf(compiled)).toThrow(/ApiGatewayMethodMessagesPost \(POST \/messages\): the integration request parameter/);
  });

  it("refuses $context.requestOverride in a request template", () => {
    const compiled = template();
    integrationOf(compiled).RequestTemplates = { "application/json": "#set($context.requestOverride.header.X = 'a')" };
    expect(() => routesOf(compiled)).toThrow(/\$context\.requestOverride, which the local stack does not emulate/);
  });

  it("refuses an integration other than Lambda (proxy or custom), SQS and MOCK", () => {
    const compiled = template();
    Object.assign(integrationOf(compiled), { Type: "HTTP", Uri: "https://example.com" });
    expect(() => routesOf(compiled)).toThrow(/does not emulate: "HTTP" .* it runs AWS_PROXY and AWS \(Lambda\), AWS with an SQS path override .* and MOCK/);
  });

  it("refuses binary content handling", () => {
    const compiled = template();
    integrationOf(compiled).ContentHandling = "CONVERT_TO_BINARY";
    expect(() => routesOf(compiled)).toThrow(/ContentHandling CONVERT_TO_BINARY is not emulated/);
  });
});
