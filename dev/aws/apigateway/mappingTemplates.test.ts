import { describe, expect, it } from "vitest";
import { renderMappingTemplate, renderResponseTemplate, type TemplateRequest } from "./mappingTemplates.ts";

const request: TemplateRequest = {
  body: '{"kind":"in","note":"a&b"}',
  requestId: "req-7",
  requestTimeEpoch: 1_795_400_000_000,
  httpMethod: "POST",
  resourcePath: "/items",
  stage: "local",
  sourceIp: "127.0.0.1",
  parameters: { path: { itemId: "i-1" }, querystring: { sort: "asc" }, header: { origin: "https://b.example" } },
};

/** The CORS preflight's response template as osls compiles it for `cors: true`. */
const CORS_TEMPLATE = [
  '#set($origin = $input.params("Origin"))',
  '#if($origin == "") #set($origin = $input.params("origin")) #end',
  '#if($origin.matches(".+")) #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin) #end',
].join("\n");

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

  it("finds $input.params(name) in the path, then the query string, then the headers, and gives \"\" for a missing one", () => {
    const rendered = renderMappingTemplate(
      '$input.params("itemId")|$input.params("sort")|$input.params("Origin")|[$input.params("missing")]',
      request,
      "",
    );
    expect(rendered).toBe("i-1|asc|https://b.example|[]");
  });

  it("lists every parameter with $input.params()", () => {
    expect(renderMappingTemplate('#foreach($name in $input.params().querystring.keySet())$name#end', request, "")).toBe("sort");
  });

  it("matches Java-style: String.matches is a whole-string regex match", () => {
    const matchesA = (origin: string) =>
      renderMappingTemplate(`#set($origin = "${origin}")#if($origin.matches("https://a[.]example"))yes#{else}no#end`, request, "");
    expect(matchesA("https://a.example")).toBe("yes");
    expect(matchesA("https://a.example.evil")).toBe("no");
    expect(matchesA("https://aXexample")).toBe("no");
  });
});

describe("renderResponseTemplate", () => {
  it("echoes the request's Origin through $context.responseOverride, as the CORS preflight template asks", () => {
    expect(renderResponseTemplate(CORS_TEMPLATE, request, "").override).toEqual({ header: { "Access-Control-Allow-Origin": "https://b.example" } });
  });

  it("overrides nothing when the request has no Origin", () => {
    const withoutOrigin = { ...request, parameters: { ...request.parameters, header: {} } };
    expect(renderResponseTemplate(CORS_TEMPLATE, withoutOrigin, "").override).toEqual({ header: {} });
  });

  it("overrides the status, and reports an override set twice (AWS answers 500 to that)", () => {
    const rendered = renderResponseTemplate(
      "#set($context.responseOverride.status = 201)#set($context.responseOverride.header.X-A = 'a')#set($context.responseOverride.header.X-A = 'b')",
      request,
      "",
    );
    expect(rendered.override.status).toBe(201);
    expect(rendered.overriddenTwice).toEqual(["header.X-A"]);
  });
});
