import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { GatewayResponseDefinition, SqsIntegrationRoute } from "../cloudformation/serviceModel.ts";
import type { ApiRequest, ApiResponse, RouteHandler } from "./apiTypes.ts";
import { gatewayResponse } from "./gatewayResponses.ts";
import { renderMappingTemplate, type TemplateRequest } from "./mappingTemplates.ts";
import { bodyValidator } from "./requestValidation.ts";
import { QueueSendError, type OutgoingMessage, type SentMessage } from "../sqs/queueSender.ts";

export interface SqsIntegrationDependencies {
  send: (message: OutgoingMessage) => Promise<SentMessage>;
  gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>;
  stage: string;
}

const JSON_HEADERS = { "content-type": "application/json" };

/**
 * An API Gateway method with an SQS service integration, as AWS runs it: the request validator
 * checks the body against the method's model, the integration request template becomes a
 * SendMessage call, and the integration response whose selection pattern matches SQS's status
 * renders the answer. No Lambda runs on this path, here or on AWS.
 */
export function sqsIntegrationRoute(route: SqsIntegrationRoute, dependencies: SqsIntegrationDependencies): RouteHandler {
  const validators = new Map(Object.entries(route.bodyModels).map(([contentType, schema]) => [contentType, bodyValidator(schema)]));

  return async (request) => {
    const contentType = (request.headers["content-type"] ?? "application/json").split(";")[0]!.trim().toLowerCase();
    const template = route.requestTemplates[contentType];
    if (template === undefined) return gatewayError("UNSUPPORTED_MEDIA_TYPE", request, dependencies);

    const validation = validators.get(contentType)?.(request.body) ?? { ok: true };
    if (!validation.ok) return gatewayError("BAD_REQUEST_BODY", request, dependencies, validation.validationErrorString);

    const templateRequest = templateRequestOf(request, route, dependencies.stage);
    const [status, sqsResponse] = await sendMessage(
      new URLSearchParams(renderMappingTemplate(template, templateRequest, request.body)),
      request.requestId,
      dependencies,
    );
    return integrationResponse(route, status, sqsResponse, templateRequest);
  };
}

/** Calls SQS as the rendered form asks, and answers as SQS's JSON protocol would. */
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
    return [
      200,
      JSON.stringify({ SendMessageResponse: { SendMessageResult: sent, ResponseMetadata: { RequestId: requestId } } }),
    ];
  } catch (error) {
    const { statusCode = 500, code = "InternalError", message } =
      error instanceof QueueSendError ? error : { message: String(error) };
    return [statusCode, JSON.stringify({ Error: { Code: code, Message: message } })];
  }
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

function integrationResponse(
  route: SqsIntegrationRoute,
  status: number,
  backendBody: string,
  templateRequest: TemplateRequest,
): ApiResponse {
  const selected =
    route.integrationResponses.find(
      ({ selectionPattern }) => selectionPattern !== undefined && new RegExp(`^(?:${selectionPattern})$`).test(String(status)),
    ) ?? route.integrationResponses.find(({ selectionPattern }) => selectionPattern === undefined || selectionPattern === "");
  if (!selected) return { statusCode: 500, headers: JSON_HEADERS, body: '{"message": "Internal server error"}' };
  const template = selected.responseTemplates["application/json"];
  return {
    statusCode: selected.statusCode,
    headers: JSON_HEADERS,
    body: template === undefined ? backendBody : renderMappingTemplate(template, templateRequest, backendBody),
  };
}

function templateRequestOf(request: ApiRequest, route: SqsIntegrationRoute, stage: string): TemplateRequest {
  return {
    body: request.body,
    requestId: request.requestId,
    requestTimeEpoch: request.requestTimeEpoch,
    httpMethod: request.method,
    resourcePath: route.path,
    stage,
    sourceIp: request.sourceIp,
  };
}

function gatewayError(
  type: "BAD_REQUEST_BODY" | "UNSUPPORTED_MEDIA_TYPE",
  request: ApiRequest,
  { gatewayResponses }: SqsIntegrationDependencies,
  validationErrorString?: string,
): ApiResponse {
  const response = gatewayResponse(type, gatewayResponses, {
    requestId: request.requestId,
    ...(validationErrorString !== undefined && { validationErrorString }),
  });
  return { ...response, headers: JSON_HEADERS };
}
