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
}

export interface ApiResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export type RouteHandler = (request: ApiRequest) => Promise<ApiResponse>;
