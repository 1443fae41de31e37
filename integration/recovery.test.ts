import { afterAll, beforeAll, expect, it } from "vitest";
import { redriveDeadLetters, type StartedBackend } from "../dev/aws/index.ts";
import { writeServiceVariant, type ServiceVariant } from "../dev/serviceVariant.ts";
import { databaseServerOf, describeOnBackend, startIntegrationBackend } from "./support/backendFixture.ts";
import { eventually } from "./support/eventually.ts";
import { pipelineProbe, withConcurrency, type PipelineProbe } from "./support/pipelineProbe.ts";
import { aPunch, postPunch } from "./support/punches.ts";

import { startStackOn, type SuiteStack } from "./support/suiteStack.ts";

let backend: StartedBackend;

beforeAll(async () => {
  // These scenarios stop the database, so they get a server of their own.
  backend = await startIntegrationBackend({ ownDatabase: true });
});

afterAll(async () => {
  await backend?.stop();
});

/**
 * The real serverless.yml with a short visibility timeout, so that retries happen in seconds
 * rather than minutes; everything else as deployed.
 */
async function withVariantStack(variant: ServiceVariant, scenario: (suite: SuiteStack, probe: PipelineProbe) => Promise<void>) {
  const config = await writeServiceVariant(variant);
  const suite = await startStackOn(backend, "recovery", { configFile: config.configFile }).finally(() => config.remove());
  const probe = pipelineProbe(suite);
  try {
    await scenario(suite, probe);
  } finally {
    probe.destroy();
    await suite.stop();
  }
}

const databaseServer = () => databaseServerOf(backend);

describeOnBackend("recovery: what SQS and Postgres really do", () => {
  it("stores the good records of a batch at once and retries only the one the database refuses", async () => {
    await withVariantStack({ visibilityTimeout: 4, maxReceiveCount: 2 }, async (suite, probe) => {
      const good = Array.from({ length: 4 }, () => aPunch());
      // Valid to the schema, refused by Postgres: it has no year zero.
      const refused = JSON.stringify(aPunch({ occurredAt: "0000-01-01T00:00:00Z" }));
      await probe.enqueue([...good.map((punch) => JSON.stringify(punch)), refused]);

      await eventually(() => probe.rowsFor(good.map((punch) => punch.punchId)), (rows) => rows.length === 4, { what: "the four good rows" });
      const [parked] = await eventually(() => probe.receiveDeadLetters(), (messages) => messages.length === 1, {
        what: "the refused record in the DLQ",
        timeoutMs: 20_000,
      });
      expect(parked?.Body).toBe(refused);
      const source = (await suite.stack.status()).eventSources.find((candidate) => candidate.queue === probe.punchesQueueName);
      // Four good records delivered once, the refused one twice (maxReceiveCount 2).
      expect(source?.records).toBe(6);
      expect(source?.failedRecords).toBe(2);
    });
  });

  it("redrives the DLQ once the cause is fixed, and the punch is stored", async () => {
    await withVariantStack({ visibilityTimeout: 2, maxReceiveCount: 1 }, async (suite, probe) => {
      const punch = aPunch();
      await databaseServer().stop();
      try {
        expect((await postPunch(suite.stack.apiUrl, punch)).status).toBe(202);
        await eventually(() => probe.depth("dlq"), (depth) => depth === 1, { what: "the punch in the DLQ", timeoutMs: 20_000 });
      } finally {
        await databaseServer().start();
      }

      expect(await redriveDeadLetters(probe.sqs, probe.deadLetterQueueUrl, probe.punchesQueueUrl)).toBe(1);
      await eventually(() => probe.rowsFor([punch.punchId]), (rows) => rows.length === 1, { what: "the redriven row" });
      expect(await probe.depth("dlq")).toBe(0);
    });
  });

  it("loses and doubles nothing when Postgres stops in the middle of a burst and starts again", async () => {
    await withVariantStack({ visibilityTimeout: 2 }, async (suite, probe) => {
      const burst = Array.from({ length: 600 }, () => aPunch());
      let sent = 0;
      let outage: Promise<void> | undefined;
      const statuses = await withConcurrency(burst, 20, async (punch) => {
        sent += 1;
        if (sent === 200) {
          outage = (async () => {
            await databaseServer().stop();
            await new Promise((resolve) => setTimeout(resolve, 2_000));
            await databaseServer().start();
          })();
        }
        return (await postPunch(suite.stack.apiUrl, punch)).status;
      });
      await outage;
      expect(statuses.every((status) => status === 202)).toBe(true);

      const ids = burst.map((punch) => punch.punchId);
      await eventually(() => probe.rowsFor(ids), (rows) => rows.length === 600, { what: "600 rows", timeoutMs: 45_000, intervalMs: 250 });
      expect(await probe.rowCounts(ids)).toEqual({ total: 600, distinct: 600 });
      expect(await probe.depth("dlq")).toBe(0);
    });
  });
});
