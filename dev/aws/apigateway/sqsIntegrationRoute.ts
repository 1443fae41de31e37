import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { GatewayResponseDefinition, SqsIntegrationRoute } from "./restApiModel.ts";
import type { RouteHandler } from "./apiTypes.ts";
import { gatewayRejection, integrationRequestBody, requestContentType, templateRequestOf } from "./integrationRequest.ts";
import { integrationRequestParameters } from "./integrationParameters.ts";
import { methodResponse, selectIntegrationResponse } from "./integrationResponse.ts";
import { QueueSendError, type OutgoingMessage, type SentMessage } from "../sqs/queueSender.ts";

export interface SqsIntegrationDependencies {
  send: (message: OutgoingMessage) => Promise<SentMessage>;
  gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>;
  stage: string;
}

/**
 * An API Gateway method with an SQS service integration, as AWS runs it, behind its request
 * validator (methodRequestValidation.ts): the integration request (its parameters in the
 * query string, its rendered or passed-through body) becomes a SendMessage call, and the
 * integration response whose selection pattern matches SQS's status answers. No Lambda runs on
 * this path, here or on AWS.
 */
export function sqsIntegrationRoute(route: SqsIntegrationRoute, dependencies: SqsIntegrationDependencies): RouteHandler {
  return async (request) => {
    const contentType = requestContentType(request);
    const templateRequest = templateRequestOf(request, route.path, dependencies.stage);
    const integrationBody = integrationRequestBody(route, contentType, templateRequest);
    if ("unsupportedMediaType" in integrationBody) return gatewayRejection("UNSUPPORTED_MEDIA_TYPE", request, dependencies.gatewayResponses);

    const { querystring, headers } = integrationRequestParameters(route.requestParameters, templateRequest);
    const [status, sqsAnswer] = await sendMessage(sqsParameters(querystring, headers, integrationBody.body), request.requestId, dependencies);
    return methodResponse(
      selectIntegrationResponse(route.integrationResponses, status),
      { headers: { "content-type": "application/json", "x-amzn-requestid": request.requestId }, body: sqsAnswer, contentType: "application/json" },
      templateRequest,
    );
  };
}

/**
 * The SQS query-protocol parameters of the backend call. SQS reads them from the query string
 * (what the service proxy plugin's defaults map: `Action` and `MessageBody`) and from a
 * form-encoded body (what a request template such as `Action=SendMessage&MessageBody=…` writes).
 * A body that is not a form (the plugin's `{statusCode:200}`) adds nothing once the query string
 * holds the action.
 */
function sqsParameters(querystring: URLSearchParams, headers: Record<string, string>, body: string): URLSearchParams {
  const formBody = headers["content-type"]?.startsWith("application/x-www-form-urlencoded") || !querystring.has("Action");
  if (!formBody) return querystring;
  const parameters = new URLSearchParams(querystring);
  for (const [name, value] of new URLSearchParams(body)) if (!parameters.has(name)) parameters.set(name, value);
  return parameters;
}

/** Calls SQS as the parameters ask, and answers as SQS's JSON protocol would. */
async function sendMessage(
  form: URLSearchParams,
  requestId: string,
  { send }: SqsIntegrationDependencies,
): Promise<[status: number, body: string]> {
  if (form.get("Action") !== "SendMessage") {
    const error = { Code: "InvalidAction", Message: `the local stack emulates SendMessage only, not ${form.get("Action")}` };
    return [400, JSON.stringify({ Error: error })];
  }
  try {
    const sent = await send({
      body: form.get("MessageBody") ?? "",
      attributes: messageAttributesOf(form),
      ...(form.has("DelaySeconds") && { delaySeconds: Number(form.get("DelaySeconds")) }),
    });
    return [200, JSON.stringify(sendMessageResponseOf(sent, requestId))];
  } catch (error) {
    const { statusCode = 500, code = "InternalError", message } =
      error instanceof QueueSendError ? error : { message: String(error) };
    return [statusCode, JSON.stringify({ Error: { Code: code, Message: message } })];
  }
}

/**
 * SQS's JSON answer to SendMessage as API Gateway's SQS integration returns it: every key of the
 * result, null where SQS had no value, in the order AWS writes them.
 *
 * @example
 * sendMessageResponseOf(sent, "2e75dac6-…").SendMessageResponse.SendMessageResult.SequenceNumber; // null on a standard queue
 */
export function sendMessageResponseOf(sent: SentMessage, requestId: string) {
  return {
    SendMessageResponse: {
      ResponseMetadata: { RequestId: requestId },
      SendMessageResult: {
        MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
        MD5OfMessageBody: sent.MD5OfMessageBody,
        MD5OfMessageSystemAttributes: sent.MD5OfMessageSystemAttributes,
        MessageId: sent.MessageId,
        SequenceNumber: sent.SequenceNumber,
      },
    },
  };
}

/** MessageAttribute.1.Name=…&MessageAttribute.1.Value.StringValue=… in SQS's query protocol. */
function messageAttributesOf(form: URLSearchParams): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (let index = 1; form.has(`MessageAttribute.${index}.Name`); index += 1) {
    const prefix = `MessageAttribute.${index}.Value`;
    attributes[form.get(`MessageAttribute.${index}.Name`)!] = {
      DataType: form.get(`${prefix}.DataType`) ?? "String",
      StringValue: form.get(`${prefix}.StringValue`) ?? "",
    };
  }
  return attributes;
}
