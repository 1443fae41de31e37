import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Every test by name, skipped ones too: a run without Docker shows the docker variants as skipped.
    reporters: ["verbose"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "dev/**/*.test.ts", "deploy/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["integration/**/*.test.ts"],
          globalSetup: ["integration/globalSetup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
