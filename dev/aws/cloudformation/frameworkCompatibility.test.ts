import { describe, expect, it } from "vitest";
import { compatibleConfiguration, type FrameworkVersionCheck } from "./frameworkCompatibility.ts";

/** osls 4.3.1 as it checks ranges; the ranges used here are the ones its own semver would read so. */
const osls: FrameworkVersionCheck = {
  version: "4.3.1",
  isRange: (range) => range !== "three",
  satisfies: (range) => ["^4.0.0", ">=4", "4"].includes(range),
  admitsV3: (range) => ["3", "^3.0.0", ">=3.0.0 <4.0.0", ">=2.0.0", "3.x"].includes(range),
};

describe("a v3 service's serverless.yml, as osls packages it", () => {
  it("packages frameworkVersion '3' (osls continues the v3 line), in a copy where that line alone changed", () => {
    const original = "service: shop\nframeworkVersion: '3'\n\nprovider:\n  name: aws\n";
    const { text, changes } = compatibleConfiguration(original, osls);
    expect(text.split("\n")).toHaveLength(original.split("\n").length);
    expect(text).not.toMatch(/^frameworkVersion:/m);
    expect(text).toContain("provider:\n  name: aws\n");
    expect(changes).toEqual([expect.stringContaining("frameworkVersion '3'")]);
  });

  it("leaves a range osls satisfies, and one it cannot read (osls names that itself), as written", () => {
    for (const original of ['service: shop\nframeworkVersion: "^4.0.0"\n', "service: shop\nframeworkVersion: three\n", "service: shop\n"]) {
      expect(compatibleConfiguration(original, osls)).toEqual({ text: original, changes: [] });
    }
  });

  it("refuses a range that admits no v3 release, naming the fix", () => {
    expect(() => compatibleConfiguration("service: shop\nframeworkVersion: '2'\n", osls)).toThrow(/frameworkVersion '2' admits no Serverless Framework v3 release.*frameworkVersion: '3'/);
  });

  it("reads the v1/v2 object form service: { name } as the name, in block and flow style, keeping the line count", () => {
    const block = "service:\n  name: shop # the name\n  awsKmsKeyArn: arn:aws:kms:x\n\nprovider:\n  name: aws\n";
    const packaged = compatibleConfiguration(block, osls);
    expect(packaged.text).toMatch(/^service: shop\n/);
    expect(packaged.text).not.toContain("awsKmsKeyArn");
    expect(packaged.text).toContain("provider:\n  name: aws\n");
    expect(packaged.text.split("\n")).toHaveLength(block.split("\n").length);
    expect(compatibleConfiguration("service: { name: 'shop' }\nprovider:\n  name: aws\n", osls).text).toBe("service: shop\nprovider:\n  name: aws\n");
  });

  // v3's docs/deprecations.md, "Property provider.lambdaHashingVersion": v3 accepts it and "you can safely
  // remove that property"; osls's schema refuses it (unrecognized property 'lambdaHashingVersion').
  it("leaves out provider.lambdaHashingVersion, which v3 accepts and osls refuses, keeping the line count", () => {
    const original = "service: shop\n\nprovider:\n  name: aws\n  lambdaHashingVersion: '20201221'\n\nfunctions: {}\n";
    const { text, changes } = compatibleConfiguration(original, osls);
    expect(text).not.toMatch(/^\s*lambdaHashingVersion:/m);
    expect(text).toContain("provider:\n  name: aws\n  # lambdaHashingVersion '20201221'");
    expect(text.split("\n")).toHaveLength(original.split("\n").length);
    expect(changes).toEqual([expect.stringContaining("provider.lambdaHashingVersion '20201221' is left out")]);
  });
});
