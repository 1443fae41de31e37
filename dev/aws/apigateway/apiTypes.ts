export type SentHeader = readonly [name: string, value: string];

/** A request as the local API Gateway has read it off the socket. */
export interface ApiRequest {
  method: string;
  path: string;
  pathParameters: Record<string, string>;
  query: URLSearchParams;
  /**
   * Lower-case names, a repeated header's values joined: the view API Gateway's own checks (API
   * key, authorizer, content type, mappings) read, as it matches header names case-insensitively.
   */
  headers: Record<string, string>;
  /** The headers as the client sent them, in order: names in the client's case, repeats kept. */
  sentHeaders: readonly SentHeader[];
  body: string;
  requestId: string;
  requestTimeEpoch: number;
  sourceIp: string;
  /**
   * Set once the method's authorizer let the request through, as the integration sees it in
   * `requestContext.authorizer` and `$context.authorizer`: `{ claims }` of a Cognito token, or a
   * Lambda authorizer's `{ principalId, integrationLatency, ...context }`.
   */
  authorizer?: Record<string, unknown>;
  /** Set once the method's API key check let the request through. */
  apiKey?: { id: string; value: string };
}

export interface ApiResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export type RouteHandler = (request: ApiRequest) => Promise<ApiResponse>;
