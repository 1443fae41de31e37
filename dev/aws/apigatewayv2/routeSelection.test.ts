import { describe, expect, it } from "vitest";
import { routeSelector } from "./routeSelection.ts";

describe("route selection as an HTTP API does it", () => {
  // The routes and requests of the example in "Create routes for HTTP APIs in API Gateway",
  // section "Routing API requests".
  const select = routeSelector([{ routeKey: "$default" }, { routeKey: "ANY /{proxy+}" }, { routeKey: "GET /pets/{proxy+}" }, { routeKey: "GET /pets/dog/{id}" }, { routeKey: "GET /pets/dog/1" }]);
  const selected = (method: string, path: string) => select(method, path)?.route.routeKey;

  it("takes the full match of route and method first", () => {
    expect(selected("GET", "/pets/dog/1")).toBe("GET /pets/dog/1");
  });

  it("takes a path variable over a greedy one, a deeper literal over a shallower greedy one", () => {
    expect(select("GET", "/pets/dog/2")).toEqual({ route: { routeKey: "GET /pets/dog/{id}" }, pathParameters: { id: "2" } });
    expect(select("GET", "/pets/cat/1")).toEqual({ route: { routeKey: "GET /pets/{proxy+}" }, pathParameters: { proxy: "cat/1" } });
  });

  it("takes ANY where no route of the request's method matches", () => {
    expect(selected("POST", "/pets/cat/1")).toBe("ANY /{proxy+}");
  });

  it("takes $default last, for a request no other route matches", () => {
    expect(selected("GET", "/")).toBe("$default");
  });

  it("prefers the request's method over ANY on the same path, and decodes path parameters", () => {
    const methods = routeSelector([{ routeKey: "ANY /items/{id}" }, { routeKey: "GET /items/{id}" }]);
    expect(methods("GET", "/items/a%20b")).toEqual({ route: { routeKey: "GET /items/{id}" }, pathParameters: { id: "a b" } });
    expect(methods("PUT", "/items/1")?.route.routeKey).toBe("ANY /items/{id}");
  });

  it("matches nothing without $default, which the API answers 404 Not Found", () => {
    const noDefault = routeSelector([{ routeKey: "GET /items/{id}" }, { routeKey: "GET /files/{proxy+}" }]);
    expect(noDefault("GET", "/items")).toBeUndefined();
    expect(noDefault("GET", "/items/1/more")).toBeUndefined();
    expect(noDefault("GET", "/files/")).toBeUndefined();
    expect(noDefault("POST", "/items/1")).toBeUndefined();
  });

  it("refuses a greedy variable that is not the path's last segment, as AWS does", () => {
    expect(() => routeSelector([{ routeKey: "GET /{proxy+}/more" }])).toThrow(/greedy path variable must be at the end/);
  });
});
