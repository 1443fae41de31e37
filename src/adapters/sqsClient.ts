import type { SQSClient } from "@aws-sdk/client-sqs";

let client: Promise<SQSClient> | undefined;

/**
 * The container's SQS client, made on first use. The SDK is imported then too: a function that
 * rarely sends (the consumer parks few messages) should not load it at init. Requests go to the
 * region's endpoint rather than to the host in each queue URL: on AWS they are the same, and
 * emulators name queues with hosts that need not resolve (`sqs.eu-west-1.127.0.0.1`).
 */
export function sqsClient(): Promise<SQSClient> {
  client ??= import("@aws-sdk/client-sqs").then(({ SQSClient }) => new SQSClient({ useQueueUrlAsEndpoint: false }));
  return client;
}
