import { describe, expect, it } from "vitest";
import { startCallerIdentityEndpoint } from "./callerIdentity.ts";

// The request and answer of https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html (query protocol).
describe("the loopback STS the framework packages with", () => {
  it("answers GetCallerIdentity with the local account, and refuses any other action", async () => {
    const sts = await startCallerIdentityEndpoint("000000000000");
    try {
      const post = (action: string) =>
        fetch(sts.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `Action=${action}&Version=2011-06-15` });
      const identity = await post("GetCallerIdentity");
      expect(identity.status).toBe(200);
      expect(await identity.text()).toMatch(/<Arn>arn:aws:iam::000000000000:root<\/Arn><UserId>000000000000<\/UserId><Account>000000000000<\/Account>/);
      const other = await post("AssumeRole");
      expect([other.status, await other.text()]).toEqual([400, expect.stringContaining("<Code>InvalidAction</Code>")]);
    } finally {
      await sts.close();
    }
  });
});
