import type { ApiResponse } from "../apigateway/apiTypes.ts";
import type { CorsConfiguration } from "./httpApiModel.ts";

/**
 * CORS as an HTTP API does it ("Configure CORS for HTTP APIs in API Gateway"): with a
 * CorsConfiguration, API Gateway answers a preflight OPTIONS itself (204, whatever the routes),
 * and adds the allowed origin, credentials and exposed headers to every answer of an allowed
 * origin, over the integration's own CORS headers. An origin not allowed gets no CORS headers.
 *
 * @example
 * const cors = corsPolicy({ allowOrigins: ["https://app.example.com"], allowMethods: ["GET"], allowHeaders: [], exposeHeaders: [], allowCredentials: false });
 * cors.preflight("OPTIONS", { origin: "https://app.example.com", "access-control-request-method": "GET" }); // { statusCode: 204, … }
 */
export function corsPolicy(configuration: CorsConfiguration) {
  const allowedOrigin = (origin: string | undefined): string | undefined => {
    if (!origin) return undefined;
    if (configuration.allowOrigins.includes(origin)) return origin;
    return configuration.allowOrigins.includes("*") ? "*" : undefined;
  };
  const originHeaders = (origin: string): Record<string, string> => ({
    "access-control-allow-origin": origin,
    ...(configuration.allowCredentials && { "access-control-allow-credentials": "true" }),
  });
  return {
    /** The answer to a preflight, or undefined for a request that is none. */
    preflight(method: string, headers: Record<string, string>): ApiResponse | undefined {
      if (method !== "OPTIONS" || !headers.origin || !headers["access-control-request-method"]) return undefined;
      const origin = allowedOrigin(headers.origin);
      if (!origin) return { statusCode: 204, body: "" };
      return {
        statusCode: 204,
        headers: {
          ...originHeaders(origin),
          ...(configuration.allowMethods.length > 0 && { "access-control-allow-methods": configuration.allowMethods.join(",") }),
          ...(configuration.allowHeaders.length > 0 && { "access-control-allow-headers": configuration.allowHeaders.join(",") }),
          ...(configuration.maxAge !== undefined && { "access-control-max-age": String(configuration.maxAge) }),
        },
        body: "",
      };
    },
    /** The integration's answer with the CORS headers of the request's origin. */
    withCorsHeaders(response: ApiResponse, requestOrigin: string | undefined): ApiResponse {
      const origin = allowedOrigin(requestOrigin);
      if (!origin) return response;
      const kept = Object.fromEntries(Object.entries(response.headers ?? {}).filter(([name]) => !name.toLowerCase().startsWith("access-control-")));
      return {
        ...response,
        headers: {
          ...kept,
          ...originHeaders(origin),
          ...(configuration.exposeHeaders.length > 0 && { "access-control-expose-headers": configuration.exposeHeaders.join(",") }),
        },
      };
    },
  };
}

export type CorsPolicy = ReturnType<typeof corsPolicy>;
