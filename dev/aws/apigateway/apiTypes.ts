/** A request as the local API Gateway has read it off the socket. */
export interface ApiRequest {
  method: string;
  path: string;
  pathParameters: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
  requestId: string;
  requestTimeEpoch: number;
  sourceIp: string;
  /** Set once the method's authorizer let the request through: the token's claims. */
  authorizer?: { claims: Record<string, string> };
  /** Set once the method's API key check let the request through. */
  apiKey?: { id: string; value: string };
}

export interface ApiResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export type RouteHandler = (request: ApiRequest) => Promise<ApiResponse>;
