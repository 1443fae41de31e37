import { describe, expect, it } from "vitest";
import type { HttpApiRequest } from "./httpApiTypes.ts";
import { mappedValue } from "./parameterMapping.ts";

const settings = { accountId: "000000000000", apiId: "local" };
const request: HttpApiRequest = {
  method: "POST",
  path: "/entries/e-1",
  rawPath: "/entries/e-1",
  routePath: "/entries/e-1",
  rawQueryString: "tag=a&tag=b",
  routeKey: "POST /entries/{id}",
  stage: "$default",
  pathParameters: { id: "e-1" },
  query: new URLSearchParams("tag=a&tag=b"),
  headers: { "x-request-id": "r-1", host: "127.0.0.1:3001" },
  sentHeaders: [],
  body: JSON.stringify({ person: { name: "Ada" }, at: 17 }),
  requestId: "9f2b4a4e-0d0c-4c58-9a53-2f6f4a1d1b11",
  requestTimeEpoch: 1_700_000_000_000,
  sourceIp: "127.0.0.1",
  jwt: { claims: { sub: "u-1" }, scopes: null },
};
const value = (source: string) => mappedValue(source, settings, "Test")(request);

// The sources of "Transform API requests and responses for HTTP APIs in API Gateway".
describe("an HTTP API request parameter's value", () => {
  it("reads the request: a header in any case, a query string's values comma-joined, the path and its parameters, the body and its JSON paths", () => {
    expect(value("$request.header.X-Request-Id")).toBe("r-1");
    expect(value("$request.querystring.tag")).toBe("a,b");
    expect(value("$request.path")).toBe("/entries/e-1");
    expect(value("$request.path.id")).toBe("e-1");
    expect(value("$request.body")).toBe(request.body);
    expect(value("$request.body.person.name")).toBe("Ada");
    expect(value("$request.body.person")).toBe('{"name":"Ada"}');
    expect(value("$request.body.missing")).toBe("");
  });

  it("reads $context variables and the JWT's claims", () => {
    expect(value("$context.requestTimeEpoch")).toBe("1700000000000");
    expect(value("$context.routeKey")).toBe("POST /entries/{id}");
    expect(value("$context.authorizer.claims.sub")).toBe("u-1");
    expect(value("$context.requestId")).toMatch(/^[A-Za-z0-9+=-]{16}$/);
  });

  it("substitutes ${…} variables in text and keeps a static value as it is", () => {
    expect(value("${request.path.id} from ${request.header.x-request-id}")).toBe("e-1 from r-1");
    expect(value('{"id":{"DataType":"String","StringValue":"${request.path.id}"}}')).toBe('{"id":{"DataType":"String","StringValue":"e-1"}}');
    expect(value("fixed")).toBe("fixed");
  });

  it("refuses at start a source it cannot read, naming where it is", () => {
    expect(() => mappedValue("$stageVariables.queue", settings, "Entries MessageBody")).toThrow(/Entries MessageBody: the mapping source \$stageVariables\.queue is not emulated/);
    expect(() => mappedValue("$context.identity.caller", settings, "Entries MessageBody")).toThrow(/not emulated/);
  });
});
