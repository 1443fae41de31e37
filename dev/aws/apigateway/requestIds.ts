import { createHash } from "node:crypto";

/**
 * API Gateway's second request id (`x-amz-apigw-id`, `$context.extendedRequestId`): 16 base64
 * characters, as AWS's look. Derived from the request id, so one request has one.
 */
export function extendedRequestIdOf(requestId: string): string {
  return createHash("sha256").update(requestId).digest().subarray(0, 11).toString("base64");
}
