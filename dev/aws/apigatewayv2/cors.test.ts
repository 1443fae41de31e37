import { describe, expect, it } from "vitest";
import { corsPolicy } from "./cors.ts";
import { tokenBucket } from "./routeThrottle.ts";

const cors = corsPolicy({ allowOrigins: ["https://app.example.com"], allowMethods: ["GET", "POST"], allowHeaders: ["content-type"], exposeHeaders: ["x-id"], allowCredentials: true, maxAge: 600 });

// "Configure CORS for HTTP APIs in API Gateway".
describe("CORS on an HTTP API", () => {
  it("answers a preflight of an allowed origin itself, with the allowed methods, headers and max age", () => {
    expect(cors.preflight("OPTIONS", { origin: "https://app.example.com", "access-control-request-method": "POST" })).toEqual({
      statusCode: 204,
      headers: {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET,POST",
        "access-control-allow-headers": "content-type",
        "access-control-max-age": "600",
      },
      body: "",
    });
    expect(cors.preflight("OPTIONS", { origin: "https://evil.example.com", "access-control-request-method": "POST" })).toEqual({ statusCode: 204, body: "" });
  });

  it("leaves an OPTIONS that is no preflight to the routes", () => {
    expect(cors.preflight("OPTIONS", {})).toBeUndefined();
    expect(cors.preflight("GET", { origin: "https://app.example.com", "access-control-request-method": "GET" })).toBeUndefined();
  });

  it("puts its own CORS headers over the integration's on an allowed origin's answer, and none on another's", () => {
    const answer = { statusCode: 200, headers: { "Access-Control-Allow-Origin": "*", "x-id": "1" }, body: "" };
    expect(cors.withCorsHeaders(answer, "https://app.example.com").headers).toEqual({
      "x-id": "1",
      "access-control-allow-origin": "https://app.example.com",
      "access-control-allow-credentials": "true",
      "access-control-expose-headers": "x-id",
    });
    expect(cors.withCorsHeaders(answer, "https://evil.example.com")).toBe(answer);
  });
});

// "Throttle requests to your HTTP APIs for better throughput in API Gateway": a token bucket.
describe("a route's throttle", () => {
  it("lets a burst through, then as many a second as the rate allows", () => {
    let clock = 0;
    const throttle = tokenBucket({ burstLimit: 2, rateLimit: 1 }, () => clock);
    expect([throttle.take(), throttle.take(), throttle.take()]).toEqual([true, true, false]);
    clock += 1_000;
    expect([throttle.take(), throttle.take()]).toEqual([true, false]);
  });
});
