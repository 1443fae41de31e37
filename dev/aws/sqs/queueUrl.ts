import { LocalAwsError } from "../errors.ts";

/**
 * The URL clients are handed for a queue the emulator created. An emulator names its queues on
 * a host of its own: LocalStack on `sqs.<region>.localhost.localstack.cloud`, a name that
 * resolves to the loopback, which is kept; fauxqs on `sqs.<region>.<its host>`, which given an
 * address (`sqs.eu-west-1.127.0.0.1`) is no valid URL at all (the SDK v3 logs `TypeError:
 * Invalid URL` on every call, aws-sdk v2 and the CLI cannot send to it), and given `localhost`
 * resolves on some machines only. Those become the queue's path on the endpoint the stack itself
 * reaches SQS at, `http://127.0.0.1:<port>/<account>/<queue>`, what LocalStack hands out with
 * SQS_ENDPOINT_STRATEGY=path and what every SDK and the CLI accept.
 *
 * @example
 * clientQueueUrl("http://sqs.eu-west-1.127.0.0.1:4566/000000000000/work", "http://127.0.0.1:4566");
 * // "http://127.0.0.1:4566/000000000000/work"
 */
export function clientQueueUrl(reported: string, endpoint: string): string {
  const path = /^https?:\/\/[^/]+(\/[^?#]+)$/i.exec(reported)?.[1];
  if (!path) throw new LocalAwsError(`the SQS endpoint answered a queue URL without a queue path: ${reported}`);
  if (URL.canParse(reported) && !isLocalhostName(new URL(reported).hostname)) return reported;
  return `${new URL(endpoint).origin}${path}`;
}

function isLocalhostName(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost");
}
