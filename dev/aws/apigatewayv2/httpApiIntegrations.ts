import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { ApiResponse } from "../apigateway/apiTypes.ts";
import { sendMessageResponseOf } from "../apigateway/sqsIntegrationRoute.ts";
import { LocalAwsError } from "../errors.ts";
import type { FunctionRuntime } from "../lambda/functionRuntime.ts";
import { QueueSendError, type OutgoingMessage, type SentMessage } from "../sqs/queueSender.ts";
import type { HttpIntegration } from "./httpApiModel.ts";
import { httpApiError, type HttpApiHandler } from "./httpApiTypes.ts";
import { mappedValue, type MappingSettings } from "./parameterMapping.ts";
import { eventV1Of, responseV1Of } from "./payloadV1.ts";
import { eventV2Of, httpApiRequestIdOf, responseV2Of } from "./payloadV2.ts";

type Lambda = Extract<HttpIntegration, { kind: "lambda" }>;
type SqsSendMessage = Extract<HttpIntegration, { kind: "sqs-send-message" }>;

/** Lambda's limit on a synchronous invocation's request: the whole event as JSON. */
const MAX_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * A Lambda proxy integration of an HTTP API: the event of the integration's payload format, the
 * answer read by that format's rules. A function that throws, times out or answers what the
 * format cannot read is a 500; one that outlasts the integration's timeout (30 s at most) a 503,
 * as "Troubleshooting issues with HTTP API Lambda integrations" describes.
 */
export function lambdaIntegration(integration: Lambda, target: FunctionRuntime, settings: MappingSettings): HttpApiHandler {
  const [eventOf, responseOf] = integration.payloadFormatVersion === "2.0" ? [eventV2Of, responseV2Of] : [eventV1Of, responseV1Of];
  return async (request) => {
    const event = eventOf(request, settings);
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_INVOCATION_PAYLOAD_BYTES) return httpApiError("tooLarge");
    const result = await withinTimeout(target.invoke(event), integration.timeoutMs);
    if (result === "timed-out") return httpApiError("serviceUnavailable");
    if (result.status === "throttled") return httpApiError("tooManyRequests");
    if (result.status !== "succeeded") return httpApiError("internalServerError");
    return responseOf(result.payload) ?? httpApiError("internalServerError");
  };
}

/** SendMessage's parameters the local stack maps; FIFO ones are refused with FIFO queues. */
const SEND_MESSAGE_PARAMETERS = new Set(["QueueUrl", "MessageBody", "DelaySeconds", "MessageAttributes", "Region"]);

/**
 * An `SQS-SendMessage` integration ("Integration subtype reference"): its RequestParameters,
 * mapped from the request, become one SendMessage, and the client gets SQS's answer, 200 with
 * its SendMessageResult, or SQS's error and status. No Lambda runs on this path. AWS's docs show
 * no HTTP API answer body; it is written as the REST API's SQS integration writes SQS's JSON.
 *
 * @example
 * sqsSendMessageIntegration(integration, { send, settings }); // POST → 200 {"SendMessageResponse":{…"MessageId":"…"}}
 */
export function sqsSendMessageIntegration(
  integration: SqsSendMessage,
  { send, settings }: { send: (message: OutgoingMessage) => Promise<SentMessage>; settings: MappingSettings },
): HttpApiHandler {
  const where = `${integration.logicalId} (SQS-SendMessage)`;
  for (const name of Object.keys(integration.requestParameters)) {
    if (!SEND_MESSAGE_PARAMETERS.has(name)) throw new LocalAwsError(`${where}: the request parameter ${name} is not emulated; the local stack maps ${[...SEND_MESSAGE_PARAMETERS].join(", ")}`);
  }
  const parameter = (name: string) => {
    const value = integration.requestParameters[name];
    return value === undefined ? undefined : mappedValue(String(value), settings, `${where} ${name}`);
  };
  const [body, delay, attributes] = [parameter("MessageBody"), parameter("DelaySeconds"), parameter("MessageAttributes")];
  if (!body) throw new LocalAwsError(`${where}: MessageBody is required`);
  return async (request) => {
    const requestId = httpApiRequestIdOf(request.requestId);
    const delaySeconds = delay?.(request);
    let messageAttributes: Record<string, MessageAttributeValue>;
    try {
      messageAttributes = attributes ? (JSON.parse(attributes(request)) as Record<string, MessageAttributeValue>) : {};
    } catch {
      return sqsError(400, "InvalidParameterValue", "MessageAttributes is not valid JSON once mapped");
    }
    try {
      const sent = await send({ body: body(request), attributes: messageAttributes, ...(delaySeconds && { delaySeconds: Number(delaySeconds) }) });
      return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(sendMessageResponseOf(sent, requestId)) };
    } catch (error) {
      const { statusCode = 500, code = "InternalError", message } = error instanceof QueueSendError ? error : { message: String(error) };
      return sqsError(statusCode, code, message);
    }
  };
}

function sqsError(statusCode: number, code: string, message: string): ApiResponse {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify({ Error: { Code: code, Message: message } }) };
}

async function withinTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T | "timed-out"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timed-out">((resolve) => {
    timer = setTimeout(() => resolve("timed-out"), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
