import { describe, expect, it } from "vitest";
import { renderMappingTemplate, type TemplateRequest } from "./mappingTemplates.ts";

const request: TemplateRequest = {
  body: '{"kind":"in","note":"a&b"}',
  requestId: "req-7",
  requestTimeEpoch: 1_795_400_000_000,
  httpMethod: "POST",
  resourcePath: "/items",
  stage: "local",
  sourceIp: "127.0.0.1",
};

describe("renderMappingTemplate", () => {
  it("renders an SQS integration request: the body URL-encoded, the request id as an attribute", () => {
    const form = new URLSearchParams(
      renderMappingTemplate(
        "Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageAttribute.1.Name=correlationId&MessageAttribute.1.Value.StringValue=$context.requestId",
        request,
        request.body,
      ),
    );
    expect(form.get("MessageBody")).toBe(request.body);
    expect(form.get("MessageAttribute.1.Value.StringValue")).toBe("req-7");
  });

  it("reads the backend's answer with $input.path in a response template", () => {
    const sqsAnswer = JSON.stringify({ SendMessageResponse: { SendMessageResult: { MessageId: "m-1" } } });
    expect(
      renderMappingTemplate(`{"messageId":"$input.path('$.SendMessageResponse.SendMessageResult.MessageId')"}`, request, sqsAnswer),
    ).toBe('{"messageId":"m-1"}');
  });

  it("escapes with $util.escapeJavaScript", () => {
    expect(renderMappingTemplate('"$util.escapeJavaScript($input.body)"', request, 'say "hi"')).toBe('"say \\"hi\\""');
  });
});
