import { describe, expect, it } from "vitest";
import { invokeErrorLine } from "./invokeErrorLine.ts";

const at = new Date("2026-12-02T12:00:00.000Z");

describe("the line a failed invocation writes", () => {
  it("says Task timed out after the function's timeout, as Lambda words it", () => {
    const line = JSON.parse(invokeErrorLine({ status: "timed-out" }, { records: [], requestId: "r-1" }, 6, at));
    expect(line).toEqual({ timestamp: "2026-12-02T12:00:00.000Z", level: "ERROR", message: "Task timed out after 6.00 seconds", requestId: "r-1" });
  });

  it("names each correlation id of the batch once", () => {
    const records = ["a", "b", "c"].map((messageId, index) => ({ messageId, receiveCount: 1, body: "", attributes: index < 2 ? { correlationId: "c-1" } : ({} as Record<string, string>) }));
    const line = JSON.parse(invokeErrorLine({ status: "failed", error: { errorType: "Error", errorMessage: "boom" } }, { records }, 6, at));
    expect(line).toMatchObject({ message: "Invoke Error Error: boom", correlationId: "c-1", messageIds: "a,b,c" });
  });
});
