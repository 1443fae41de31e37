import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeOnBackend } from "./support/backendFixture.ts";
import { eventually } from "./support/eventually.ts";
import { pipelineProbe, withConcurrency, type PipelineProbe } from "./support/pipelineProbe.ts";
import { aPunch, postPunch } from "./support/punches.ts";
import { getTimesheet } from "./support/credentials.ts";
import { writeServiceVariant } from "../dev/ponto/serviceVariant.ts";
import { startSuiteStack, type SuiteStack } from "./support/suiteStack.ts";

let suite: SuiteStack;
let probe: PipelineProbe;

beforeAll(async () => {
  // Its bursts are many clocks' load on a few test clocks; auth.test.ts proves the usage plan itself.
  const config = await writeServiceVariant({ clockLimits: { rateLimit: 10_000, burstLimit: 5_000 } });
  suite = await startSuiteStack("pipeline", { configFile: config.configFile }).finally(() => config.remove());
  probe = pipelineProbe(suite);
});

afterAll(async () => {
  probe?.destroy();
  await suite?.stop();
});

describeOnBackend("the storage-first punch pipeline", () => {
  it("answers 202 with the message id and stores the punch, with the request's correlation id", async () => {
    const punch = aPunch();
    const response = await postPunch(suite.stack.apiUrl, punch);

    expect(response.status).toBe(202);
    expect(response.body.messageId).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await eventually(() => probe.rowsFor([punch.punchId]), (found) => found.length === 1, { what: "the row" });
    expect(rows[0]?.correlation_id).toBe(response.body.correlationId);
  });

  it("shows posted punches in the employee's timesheet", async () => {
    const clockIn = aPunch({ kind: "in", occurredAt: "2026-11-23T08:00:00-03:00" });
    const clockOut = aPunch({ employeeId: clockIn.employeeId, kind: "out", occurredAt: "2026-11-23T16:30:00-03:00" });
    for (const punch of [clockOut, clockIn]) expect((await postPunch(suite.stack.apiUrl, punch)).status).toBe(202);

    const sheet = await eventually(
      async () =>
        (await getTimesheet(suite.stack.apiUrl, clockIn.employeeId, "from=2026-11-23&to=2026-11-23")).json() as Promise<{ totalHours: number; unmatched: unknown[] }>,
      (body) => body.totalHours === 8.5,
      { what: "8.5 hours in the timesheet" },
    );
    expect(sheet.unmatched).toEqual([]);
  });

  it("answers 400 naming the query parameter when a timesheet's range is missing or wrong", async () => {
    const response = await getTimesheet(suite.stack.apiUrl, "e-1", "from=2026-11-31");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      message: "Invalid query string",
      errors: [
        { field: "from", message: "must be a date as YYYY-MM-DD" },
        { field: "to", message: "is required (YYYY-MM-DD)" },
      ],
    });
  });

  it("persists every punch of a 1,000-punch burst exactly once, keeping its first delivery when resends and redeliveries follow", async () => {
    const burst = Array.from({ length: 1_000 }, () => aPunch());
    const firstAnswers = await withConcurrency(burst, 50, (punch) => postPunch(suite.stack.apiUrl, punch));
    expect(firstAnswers.filter((answer) => answer.status === 202)).toHaveLength(1_000);
    const firstCorrelation = new Map(burst.map((punch, index) => [punch.punchId, firstAnswers[index]!.body.correlationId]));

    const ids = burst.map((punch) => punch.punchId);
    const firstRows = await eventually(() => probe.rowsFor(ids), (rows) => rows.length === 1_000, { what: "1,000 rows", timeoutMs: 30_000 });
    for (const row of firstRows) expect(row.correlation_id).toBe(firstCorrelation.get(row.punch_id));
    const consumedBefore = await probe.settledConsumerOf("punches");

    // Now that every row exists: a clock retries 100 punches over HTTP (each a new request with a
    // new correlation id), and 100 messages arrive again as SQS redeliveries would.
    const resent = burst.slice(0, 100);
    const redelivered = burst.slice(100, 200);
    const [resendAnswers] = await Promise.all([
      withConcurrency(resent, 20, (punch) => postPunch(suite.stack.apiUrl, punch)),
      probe.enqueue(redelivered.map((punch) => JSON.stringify(punch))),
    ]);
    expect(resendAnswers.map((answer) => answer.status)).toEqual(resent.map(() => 202));
    resendAnswers.forEach((answer, index) => expect(answer.body.correlationId).not.toBe(firstCorrelation.get(resent[index]!.punchId)));

    // Every duplicate consumed and deleted, none failed or parked.
    await eventually(
      async () => ({ consumer: await probe.consumerOf("punches"), depth: await probe.depth("punches") }),
      ({ consumer, depth }) => depth === 0 && consumer.deleted - consumedBefore.deleted === 200,
      { what: "the 200 duplicates consumed" },
    );
    expect((await probe.consumerOf("punches")).failedRecords).toBe(consumedBefore.failedRecords);
    expect(await probe.depth("dlq")).toBe(0);

    // One row per punch, still the first delivery's: its correlation id and its receipt time.
    const rows = await probe.rowsFor(ids);
    expect(rows).toHaveLength(1_000);
    const firstReceipt = new Map(firstRows.map((row) => [row.punch_id, row.received_at.toISOString()]));
    for (const row of rows) {
      expect(row.correlation_id).toBe(firstCorrelation.get(row.punch_id));
      expect(row.received_at.toISOString()).toBe(firstReceipt.get(row.punch_id));
    }
  });

  it("stores one row for a punchId sent twice, and for a message delivered again, keeping the first delivery", async () => {
    const punch = aPunch();
    const first = await postPunch(suite.stack.apiUrl, punch);
    expect(first.status).toBe(202);
    const [stored] = await eventually(() => probe.rowsFor([punch.punchId]), (rows) => rows.length === 1, { what: "the row" });
    expect(stored!.correlation_id).toBe(first.body.correlationId);
    const consumedBefore = await probe.settledConsumerOf("punches");

    // The clock retries over HTTP, and the same message body arrives again from the queue.
    const again = await postPunch(suite.stack.apiUrl, punch);
    expect(again.status).toBe(202);
    expect(again.body.correlationId).not.toBe(first.body.correlationId);
    await probe.enqueue([JSON.stringify(punch)]);
    await eventually(
      async () => ({ consumer: await probe.consumerOf("punches"), depth: await probe.depth("punches") }),
      ({ consumer, depth }) => depth === 0 && consumer.deleted - consumedBefore.deleted === 2,
      { what: "both duplicates consumed" },
    );

    expect(await probe.rowsFor([punch.punchId])).toEqual([stored]);
    expect(await probe.depth("dlq")).toBe(0);
  });

  it("parks a message that can never be processed in the DLQ at once, with its body and the reason, and stores the rest of its batch", async () => {
    const good = Array.from({ length: 9 }, () => aPunch());
    const poison = '{"punchId":"not-a-uuid","kind":"in"}';
    await probe.enqueue([...good.map((punch) => JSON.stringify(punch)), poison]);

    await eventually(() => probe.rowsFor(good.map((punch) => punch.punchId)), (rows) => rows.length === 9, { what: "nine rows" });
    const [parked] = await eventually(() => probe.receiveDeadLetters(), (messages) => messages.length > 0, {
      what: "the poison message in the DLQ",
    });
    expect(parked?.Body).toBe(poison);
    const reason = parked?.MessageAttributes?.failureReason?.StringValue;
    expect(reason).toContain("/punchId must match pattern");
    expect(reason).toContain("/employeeId is required");
  });

  it("never holds more Postgres connections than maximumConcurrency while draining a backlog", async () => {
    const consumer = suite.stack.functions.find((fn) => fn.name.endsWith("consumePunches"))!;
    const backlog = Array.from({ length: 3_000 }, () => aPunch());
    let peakConnections = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await suite.db.query<{ connections: number }>(
          "SELECT count(*)::int AS connections FROM pg_stat_activity WHERE application_name = $1",
          [consumer.name],
        );
        peakConnections = Math.max(peakConnections, rows[0]!.connections);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    await probe.enqueue(backlog.map((punch) => JSON.stringify(punch)));
    await eventually(() => probe.rowsFor(backlog.map((punch) => punch.punchId)), (rows) => rows.length === 3_000, {
      what: "the backlog drained",
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    sampling = false;
    await sampler;

    // serverless.yml caps the consumer at maximumConcurrency 5, one connection per container: a
    // backlog this deep keeps all five busy, and never a sixth.
    expect(peakConnections).toBe(5);
  });

  describe("bad HTTP input gets a clear 4xx, enqueues nothing, and the API keeps serving", () => {
    it.each([
      // In API Gateway's own words (its validator is java-json-tools' json-schema-validator).
      ["malformed JSON", "{not json", "[Unknown error parsing request body]"],
      [
        "wrong types",
        JSON.stringify({ ...aPunch(), kind: 1, occurredAt: true }),
        '[instance type (integer) does not match any allowed primitive type (allowed: ["string"]), ' +
          'instance value (1) not found in enum (possible values: ["in","out"]), ' +
          'instance type (boolean) does not match any allowed primitive type (allowed: ["string"])]',
      ],
      [
        "missing fields",
        JSON.stringify({ punchId: aPunch().punchId }),
        '[object has missing required properties (["employeeId","deviceId","kind","occurredAt"])]',
      ],
    ])("%s", async (_case, body, errors) => {
      const consumedBefore = await probe.settledConsumerOf("punches");
      const parkedBefore = await probe.depth("dlq");
      const response = await postPunch(suite.stack.apiUrl, body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ message: "Invalid request body", errors });

      // A valid punch sent after it: once its row exists and the queue is empty, anything the bad
      // request had queued would have been consumed too, so the consumer must have seen one record.
      const sentinel = aPunch();
      expect((await postPunch(suite.stack.apiUrl, sentinel)).status).toBe(202);
      await eventually(
        async () => ({ rows: await probe.rowsFor([sentinel.punchId]), depth: await probe.depth("punches") }),
        ({ rows, depth }) => rows.length === 1 && depth === 0,
        { what: "the sentinel stored and the queue empty" },
      );
      expect((await probe.consumerOf("punches")).records - consumedBefore.records).toBe(1);
      expect(await probe.depth("dlq")).toBe(parkedBefore);
    });

    it("an oversized body: 413", async () => {
      const response = await fetch(`${suite.stack.apiUrl}/punches`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...aPunch(), padding: "x".repeat(11 * 1024 * 1024) }),
      });
      expect(response.status).toBe(413);
    });

    it("an unknown route: 404", async () => {
      const response = await fetch(`${suite.stack.apiUrl}/nowhere`, { method: "POST", body: "{}" });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: "No such route: check the method and the path" });
    });

    it("and after all of that, a valid punch is still accepted", async () => {
      expect((await postPunch(suite.stack.apiUrl, aPunch())).status).toBe(202);
    });
  });

  it("reports queues and functions at /_local/status", async () => {
    const status = (await (await fetch(`${suite.stack.apiUrl}/_local/status`)).json()) as {
      queues: Array<{ name: string; deadLetterQueue?: { maxReceiveCount: number } }>;
      functions: Array<{ name: string; invocations: number }>;
    };
    const punchesQueue = status.queues.find((queue) => queue.name.endsWith("-punches"));
    expect(punchesQueue?.deadLetterQueue?.maxReceiveCount).toBe(5);
    expect(status.functions.find((fn) => fn.name.endsWith("consumePunches"))?.invocations).toBeGreaterThan(0);
  });
});
