import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { ApiResponse, SentHeader } from "./apiTypes.ts";

/** The HTTP server pieces the REST API and the HTTP API share. */

/** API Gateway's payload limit, for REST and HTTP APIs alike. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Node's rawHeaders, `[name, value, name, value, …]`, as pairs. */
export function sentHeadersOf(rawHeaders: readonly string[]): SentHeader[] {
  const pairs: SentHeader[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) pairs.push([rawHeaders[index]!, rawHeaders[index + 1]!]);
  return pairs;
}

/**
 * The body as text, or undefined once it passes API Gateway's limit. Read through events, not
 * `for await`, which costs an async iterator and a promise per chunk on every request.
 */
export function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // An oversized body is still read to its end, so the client gets the 413 instead of a reset.
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.once("end", () => resolve(size > MAX_BODY_BYTES ? undefined : chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")));
    request.once("error", reject);
    request.once("close", () => reject(new Error("the client closed the connection before the body ended")));
  });
}

export function send(response: ServerResponse, result: ApiResponse): void {
  response.writeHead(result.statusCode, result.headers);
  response.end(result.body);
}

export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
