import { describe, expect, it } from "vitest";
import { clientQueueUrl } from "./queueUrl.ts";

describe("the queue URL clients are handed", () => {
  const endpoint = "http://127.0.0.1:45123";

  it("puts a queue fauxqs names on an address (no valid URL) on the stack's endpoint, by path", () => {
    expect(() => new URL("http://sqs.eu-west-1.127.0.0.1:45123/000000000000/work")).toThrow(TypeError);
    expect(clientQueueUrl("http://sqs.eu-west-1.127.0.0.1:45123/000000000000/work", endpoint)).toBe("http://127.0.0.1:45123/000000000000/work");
  });

  it("does the same for a localhost name, which resolves on some machines only, and for its container's own port", () => {
    expect(clientQueueUrl("http://sqs.eu-west-1.localhost:4566/000000000000/work-dlq", endpoint)).toBe("http://127.0.0.1:45123/000000000000/work-dlq");
  });

  it("keeps LocalStack's URLs, whose host resolves to the loopback, as LocalStack gives them", () => {
    const localstack = "http://sqs.eu-west-1.localhost.localstack.cloud:45123/000000000000/work";
    expect(clientQueueUrl(localstack, endpoint)).toBe(localstack);
    expect(clientQueueUrl("http://localhost.localstack.cloud:45123/000000000000/work", endpoint)).toBe("http://localhost.localstack.cloud:45123/000000000000/work");
  });

  it("keeps an already path-style URL, and refuses one without a queue path", () => {
    expect(clientQueueUrl("http://127.0.0.1:45123/000000000000/work", endpoint)).toBe("http://127.0.0.1:45123/000000000000/work");
    expect(() => clientQueueUrl("http://sqs.eu-west-1.127.0.0.1:45123", endpoint)).toThrow(/without a queue path/);
  });
});
