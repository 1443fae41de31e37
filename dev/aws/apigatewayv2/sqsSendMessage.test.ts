import { describe, expect, it } from "vitest";
import { QueueSendError, type OutgoingMessage, type SentMessage } from "../sqs/queueSender.ts";
import { sqsSendMessageIntegration } from "./httpApiIntegrations.ts";
import type { HttpApiRequest } from "./httpApiTypes.ts";

const settings = { accountId: "000000000000", apiId: "local" };
const sent: SentMessage = { MessageId: "5fea7756-0ea4-451a-a703-a558b933e274", MD5OfMessageBody: "d41d8cd98f00b204e9800998ecf8427e", MD5OfMessageAttributes: null, MD5OfMessageSystemAttributes: null, SequenceNumber: null };
const request: HttpApiRequest = {
  method: "POST",
  path: "/entries",
  rawPath: "/entries",
  routePath: "/entries",
  rawQueryString: "delay=5",
  routeKey: "POST /entries",
  stage: "$default",
  pathParameters: {},
  query: new URLSearchParams("delay=5"),
  headers: { "x-request-id": "r-1" },
  sentHeaders: [],
  body: '{"key":"k-1"}',
  requestId: "9f2b4a4e-0d0c-4c58-9a53-2f6f4a1d1b11",
  requestTimeEpoch: 1_700_000_000_000,
  sourceIp: "127.0.0.1",
};

/** The integration with a send that records what the queue would get; the suite's own SQS path is integration/httpApi.test.ts. */
function integrationWith(requestParameters: Record<string, unknown>, send: (message: OutgoingMessage) => Promise<SentMessage>) {
  return sqsSendMessageIntegration({ kind: "sqs-send-message", logicalId: "EntriesIntegration", requestParameters, timeoutMs: 30_000 }, { send, settings });
}

// Parameters of SQS-SendMessage in "Integration subtype reference"; sources in "Transform API requests and responses for HTTP APIs".
describe("an SQS-SendMessage integration", () => {
  it("sends the mapped body, attributes and delay, and answers 200 with SQS's SendMessage result", async () => {
    const messages: OutgoingMessage[] = [];
    const handle = integrationWith(
      {
        QueueUrl: "http://127.0.0.1:4566/000000000000/entries",
        MessageBody: "$request.body",
        DelaySeconds: "$request.querystring.delay",
        MessageAttributes: '{"requestId":{"DataType":"String","StringValue":"${request.header.x-request-id}"}}',
      },
      async (message) => (messages.push(message), sent),
    );
    const response = await handle(request);
    expect(messages).toEqual([{ body: '{"key":"k-1"}', attributes: { requestId: { DataType: "String", StringValue: "r-1" } }, delaySeconds: 5 }]);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(String(response.body)).SendMessageResponse.SendMessageResult).toEqual(sent);
  });

  it("answers SQS's error with its status when SQS refuses the message", async () => {
    const handle = integrationWith({ QueueUrl: "q", MessageBody: "$request.body" }, async () => {
      throw new QueueSendError("One or more parameters are invalid", 400, "InvalidParameterValue");
    });
    const response = await handle(request);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(String(response.body))).toEqual({ Error: { Code: "InvalidParameterValue", Message: "One or more parameters are invalid" } });
  });

  it("refuses at start a parameter it does not map and a missing MessageBody", () => {
    const send = async () => sent;
    expect(() => integrationWith({ QueueUrl: "q", MessageBody: "x", MessageGroupId: "g" }, send)).toThrow(/EntriesIntegration \(SQS-SendMessage\): the request parameter MessageGroupId is not emulated/);
    expect(() => integrationWith({ QueueUrl: "q" }, send)).toThrow(/MessageBody is required/);
  });
});
