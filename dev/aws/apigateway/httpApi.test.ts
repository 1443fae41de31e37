import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiRequest } from "./apiTypes.ts";
import { startHttpApi } from "./httpApi.ts";

let api: Awaited<ReturnType<typeof startHttpApi>>;
const seen: ApiRequest[] = [];

beforeAll(async () => {
  api = await startHttpApi({
    port: 0,
    gatewayResponses: new Map(),
    localEndpoints: {},
    routes: [{ method: "GET", path: "/items", handle: async (request) => (seen.push(request), { statusCode: 200, body: "" }) }],
  });
});

afterAll(() => api?.close());

/** A request with headers in the case, and the repeats, a client chose; fetch would normalise them. */
function get(path: string, rawHeaders: string[]): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    // Given as a flat list, headers are sent as they are: Host too must be among them.
    const headers = ["Host", new URL(api.url).host, ...rawHeaders];
    const outgoing = httpRequest(`${api.url}${path}`, { method: "GET", headers }, (response) => {
      response.resume();
      resolve({ status: response.statusCode!, headers: response.headers });
    });
    outgoing.once("error", reject).end();
  });
}

it("hands a route the headers as the client sent them, and a lower-case view for API Gateway's own checks", async () => {
  const answer = await get("/items?tag=a&tag=b", ["Content-Type", "application/json", "X-Api-Key", "k", "X-Tag", "1", "X-Tag", "2"]);
  expect(answer.status).toBe(200);
  const request = seen.at(-1)!;
  expect(request.sentHeaders).toEqual(
    expect.arrayContaining([
      ["Content-Type", "application/json"],
      ["X-Api-Key", "k"],
      ["X-Tag", "1"],
      ["X-Tag", "2"],
    ]),
  );
  expect(request.headers).toMatchObject({ "content-type": "application/json", "x-api-key": "k" });
  expect(request.query.getAll("tag")).toEqual(["a", "b"]);
});

it("names both of API Gateway's request ids on the answer, as a REST API does", async () => {
  const answer = await get("/items", []);
  expect(answer.headers["x-amzn-requestid"]).toBe(seen.at(-1)!.requestId);
  // The look of AWS's x-amz-apigw-id, as the recorded event's extendedRequestId "ZhDrKF5dDoEEHfA=".
  expect(answer.headers["x-amz-apigw-id"]).toMatch(/^[A-Za-z0-9+/]{15}=$/);
});
