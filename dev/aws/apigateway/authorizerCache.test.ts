import { describe, expect, it } from "vitest";
import { AuthorizerResultCache } from "./authorizerCache.ts";

describe("an authorizer's result cache", () => {
  it("keeps a result for its TTL and forgets it after (AuthorizerResultTtlInSeconds)", () => {
    let now = 1_000_000;
    const cache = new AuthorizerResultCache<string>(300, { now: () => now });
    cache.set("token-1", "answer");
    now += 299_999;
    expect(cache.get("token-1")).toBe("answer");
    now += 1;
    expect(cache.get("token-1")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keeps nothing when the TTL is 0, which turns API Gateway's caching off", () => {
    const cache = new AuthorizerResultCache<string>(0);
    cache.set("token-1", "answer");
    expect(cache.get("token-1")).toBeUndefined();
  });

  it("keeps one result per key: another token is another entry", () => {
    const cache = new AuthorizerResultCache<string>(300);
    cache.set("token-1", "first");
    cache.set("token-2", "second");
    expect([cache.get("token-1"), cache.get("token-2"), cache.get("token-3")]).toEqual(["first", "second", undefined]);
  });
});
