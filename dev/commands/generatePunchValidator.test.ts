import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { PUNCH_VALIDATOR_PATH, punchValidatorSource } from "./generatePunchValidator.ts";

describe("the generated punch validator", () => {
  it("is up to date with punch.schema.json (run `npm run generate` after changing the schema)", async () => {
    expect(await readFile(PUNCH_VALIDATOR_PATH, "utf8")).toBe(punchValidatorSource());
  });
});
