import type { IntegrationResponse } from "./restApiModel.ts";
import type { ApiResponse } from "./apiTypes.ts";
import { methodResponseHeaders, type IntegrationAnswer } from "./integrationParameters.ts";
import { renderResponseTemplate, type TemplateRequest } from "./mappingTemplates.ts";

const INTERNAL_SERVER_ERROR: ApiResponse = {
  statusCode: 500,
  headers: { "content-type": "application/json" },
  body: '{"message": "Internal server error"}',
};

/**
 * The integration response for a backend status: the first whose selection pattern matches the
 * whole status, else the one without a pattern (the default), else none.
 *
 * @example
 * selectIntegrationResponse([{ statusCode: 202, selectionPattern: "2\\d{2}", ... }], 200); // that response
 */
export function selectIntegrationResponse(responses: readonly IntegrationResponse[], status: number): IntegrationResponse | undefined {
  return (
    responses.find(
      ({ selectionPattern }) =>
        selectionPattern !== undefined && selectionPattern !== "" && new RegExp(`^(?:${selectionPattern})$`).test(String(status)),
    ) ?? responses.find(({ selectionPattern }) => selectionPattern === undefined || selectionPattern === "")
  );
}

/**
 * The method response AWS builds from the backend's answer: the selected integration response's
 * status, its response parameters as headers, its template rendered (or the backend body passed
 * through when it has none), and last what the template set in `$context.responseOverride`. No
 * matching integration response, or an override set twice, gives API Gateway's 500.
 *
 * @example
 * methodResponse(selectIntegrationResponse(route.integrationResponses, 200), { statusCode: 200, headers: {}, body: sqsAnswer }, templateRequest);
 */
export function methodResponse(
  selected: IntegrationResponse | undefined,
  answer: IntegrationAnswer & { contentType: string },
  request: TemplateRequest,
): ApiResponse {
  if (!selected) return INTERNAL_SERVER_ERROR;
  const headers: Record<string, string> = {};
  // AWS picks by the Accept header; clients of these APIs take JSON, so JSON comes first.
  const [templateType, template] =
    selected.responseTemplates["application/json"] !== undefined
      ? ["application/json", selected.responseTemplates["application/json"]]
      : (Object.entries(selected.responseTemplates)[0] ?? []);
  setHeader(headers, "content-type", template === undefined ? answer.contentType : templateType!);
  for (const [name, value] of Object.entries(methodResponseHeaders(selected.responseParameters, answer))) setHeader(headers, name, value);
  if (template === undefined) return { statusCode: selected.statusCode, headers, body: answer.body };

  const rendered = renderResponseTemplate(template, request, answer.body);
  if (rendered.overriddenTwice.length > 0) return INTERNAL_SERVER_ERROR;
  for (const [name, value] of Object.entries(rendered.override.header)) setHeader(headers, name, value);
  return { statusCode: rendered.override.status ?? selected.statusCode, headers, body: rendered.body };
}

/** Header names are case-insensitive: a mapping replaces the header whatever case set it first. */
function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
  headers[name] = value;
}
