import { createHash } from "node:crypto";

/**
 * API Gateway's second request id (`x-amz-apigw-id`, `$context.extendedRequestId`): 16 base64
 * characters, as AWS's look. Derived from the request id, so one request has one: eleven of the
 * random UUID's bytes, read from its hex digits. A SHA-256 of the id looked the same and was
 * hashed up to three times a request (the answer's header, each template's `$context`), 3% of
 * the API thread under a burst.
 */
export function extendedRequestIdOf(requestId: string): string {
  const hex = requestId.replace(/-/g, "");
  // Past the version digit (index 12), so all but the variant's two bits of these bytes are random.
  return /^[0-9a-f]{32}$/i.test(hex) ? Buffer.from(hex.slice(10, 32), "hex").toString("base64") : fallback(requestId);
}

/** An id that is not a UUID (a test's, a client's) still gets 16 characters of its own. */
function fallback(requestId: string): string {
  return createHash("sha256").update(requestId).digest().subarray(0, 11).toString("base64");
}
