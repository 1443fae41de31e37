import { afterAll, beforeAll, expect, it } from "vitest";
import { redriveDeadLetters } from "../dev/aws/index.ts";
import { type StartedBackend } from "../dev/aws/backends/index.ts";
import { writeServiceVariant, type ServiceVariant } from "../dev/ponto/serviceVariant.ts";
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

describeOnBackend("recovery: what SQS and Postgres really do", () => {
  it("stores the good records of a batch at once and retries only the one the database refuses", async () => {
    await withVariantStack({ visibilityTimeout: 4, maxReceiveCount: 2 }, async (suite, probe) => {
      const good = Array.from({ length: 4 }, () => aPunch());
      // Valid to the schema, refused by Postgres: a constraint of this stack's own database says so.
      await suite.db.query("ALTER TABLE punches ADD CONSTRAINT refuses_employee_x CHECK (employee_id <> 'e-refused')");
      const refused = JSON.stringify(aPunch({ employeeId: "e-refused" }));
      // One SendMessageBatch: the consumer receives the five together.
      await probe.enqueue([...good.map((punch) => JSON.stringify(punch)), refused]);

      const rows = await eventually(() => probe.rowsFor(good.map((punch) => punch.punchId)), (found) => found.length === 4, { what: "the four good rows" });
      const afterFirstDelivery = await eventually(() => probe.consumerOf("punches"), (consumer) => consumer.failedRecords > 0, {
        what: "the first delivery reported",
      });
      // Stored on the first delivery, which held all five; only the refused one was reported failed.
      expect(afterFirstDelivery).toMatchObject({ batches: 1, records: 5, failedRecords: 1, deleted: 4 });
      const [parked] = await eventually(() => probe.receiveDeadLetters(), (messages) => messages.length === 1, {
        what: "the refused record in the DLQ",
        timeoutMs: 20_000,
      });
      expect(parked?.Body).toBe(refused);
      // Then retried alone: a second batch of one, which failed again; the good rows untouched.
      expect(await probe.consumerOf("punches")).toMatchObject({ batches: 2, records: 6, failedRecords: 2, deleted: 4 });
      expect(await probe.rowsFor(good.map((punch) => punch.punchId))).toEqual(expect.arrayContaining(rows));
    });
  });

  it("redrives the DLQ once the cause is fixed, and the punch is stored with its request's correlation id", async ({ skip }) => {
    const databaseServer = databaseServerOf(backend, skip);
    await withVariantStack({ visibilityTimeout: 2, maxReceiveCount: 1 }, async (suite, probe) => {
      const punch = aPunch();
      await databaseServer.stop();
      let accepted;
      try {
        accepted = await postPunch(suite.stack.apiUrl, punch);
        expect(accepted.status).toBe(202);
        await eventually(() => probe.depth("dlq"), (depth) => depth === 1, { what: "the punch in the DLQ", timeoutMs: 20_000 });
      } finally {
        await databaseServer.start();
      }

      expect(await redriveDeadLetters(probe.sqs, probe.deadLetterQueueUrl, probe.punchesQueueUrl)).toBe(1);
      const [row] = await eventually(() => probe.rowsFor([punch.punchId]), (rows) => rows.length === 1, { what: "the redriven row" });
      expect(row!.correlation_id).toBe(accepted.body.correlationId);
      expect(await probe.depth("dlq")).toBe(0);
    });
  });

  it("loses and doubles nothing when Postgres stops in the middle of a burst and starts again", async ({ skip }) => {
    const databaseServer = databaseServerOf(backend, skip);
    await withVariantStack({ visibilityTimeout: 2 }, async (suite, probe) => {
      const burst = Array.from({ length: 600 }, () => aPunch());
      let sent = 0;
      let outage: Promise<void> | undefined;
      const answers = await withConcurrency(burst, 20, async (punch) => {
        sent += 1;
        if (sent === 200) {
          outage = (async () => {
            await databaseServer.stop();
            await new Promise((resolve) => setTimeout(resolve, 2_000));
            await databaseServer.start();
          })();
        }
        return postPunch(suite.stack.apiUrl, punch);
      });
      await outage;
      expect(answers.every((answer) => answer.status === 202)).toBe(true);

      const ids = burst.map((punch) => punch.punchId);
      const rows = await eventually(() => probe.rowsFor(ids), (found) => found.length === 600, { what: "600 rows", timeoutMs: 45_000, intervalMs: 250 });
      // Each row is its one request's: retried through the outage, never a second delivery's.
      const correlationOf = new Map(burst.map((punch, index) => [punch.punchId, answers[index]!.body.correlationId]));
      for (const row of rows) expect(row.correlation_id).toBe(correlationOf.get(row.punch_id));
      // The outage hit work in flight: records failed against the stopped database and were
      // retried (a stop that stops nothing leaves this at 0), and every row was still stored once.
      expect((await probe.consumerOf("punches")).failedRecords).toBeGreaterThan(0);
      await eventually(() => probe.depth("punches"), (depth) => depth === 0, { what: "the queue to drain" });
      expect(await probe.depth("dlq")).toBe(0);
    });
  });
});
