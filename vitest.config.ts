import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Two files a core: the integration suites mostly wait on queues, timers and child processes
    // (at one file a core they kept the two cores a third busy), so twice as many finish in about
    // half the time.
    maxWorkers: 2 * availableParallelism(),
    // Every test by name, skipped ones too: a run without Docker shows the docker variants as skipped.
    // Then the ten slowest tests, so the run says where its time went.
    reporters: ["verbose", "./integration/support/slowestTestsReporter.ts"],
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
