import { randomUUID } from "node:crypto";
import { DeleteBucketCommand, CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageCommand, DeleteQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queueDepth, redriveDeadLetters } from "../dev/aws/index.ts";
import { type StartedBackend } from "../dev/aws/backends/index.ts";
import { writeServiceVariant } from "../dev/ponto/serviceVariant.ts";
import { databaseServerOf, describeOnBackend, startIntegrationBackend } from "./support/backendFixture.ts";
import { eventually, throughout } from "./support/eventually.ts";
import { pipelineProbe, withConcurrency, type PipelineProbe } from "./support/pipelineProbe.ts";
import { aPunch, postPunch } from "./support/punches.ts";
import { startStackOn, type SuiteStack } from "./support/suiteStack.ts";
import { getTimesheet } from "./support/credentials.ts";
import { aBacklog, getSyncStatus, postSync, settledSync } from "./support/syncs.ts";
import type { Punch } from "../src/domain/punch.ts";

let backend: StartedBackend;
let suite: SuiteStack;
let probe: PipelineProbe;
let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  // One scenario stops the database, so the suite gets a server of its own; the syncs queue's
  // visibility timeout is cut to seconds so that a failed sync is retried within the test. One
  // scenario re-sends a clock's whole backlog live at once, far past one clock's usage plan
  // (auth.test.ts proves the plan): here each clock's key takes it.
  backend = await startIntegrationBackend({ ownDatabase: true });
  const config = await writeServiceVariant({ syncVisibilityTimeout: 3, clockLimits: { rateLimit: 10_000, burstLimit: 5_000 } });
  suite = await startStackOn(backend, "bulksync", { configFile: config.configFile }).finally(() => config.remove());
  probe = pipelineProbe(suite);
  s3 = new S3Client(suite.stack.clientConfig);
  [bucket] = suite.stack.buckets as [string];
});

afterAll(async () => {
  s3?.destroy();
  probe?.destroy();
  await suite?.stop();
  await backend?.stop();
});


/** Inserts a punch in a transaction left open: anything else storing that punchId waits on it. */
async function holdPunch(punch: Punch): Promise<pg.Client> {
  const blocker = new pg.Client(suite.stack.database);
  blocker.on("error", () => {});
  await blocker.connect();
  await blocker.query("BEGIN");
  await blocker.query(
    `INSERT INTO punches (punch_id, employee_id, device_id, kind, occurred_at, occurred_instant, occurred_on, received_at)
     VALUES ($1, $2, $3, $4, $5::text, $5::timestamptz, left($5::text, 10)::date, now())`,
    [punch.punchId, punch.employeeId, punch.deviceId, punch.kind, punch.occurredAt],
  );
  return blocker;
}

/** Connections of a function's containers in the state `condition` (on pg_stat_activity) names. */
async function connectionsOf(functionSuffix: string, condition: string): Promise<number> {
  const name = suite.stack.functions.find((fn) => fn.name.endsWith(functionSuffix))!.name;
  const { rowCount } = await suite.db.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND ${condition}`, [name]);
  return rowCount ?? 0;
}

/** Connections of a function's containers that wait on a row lock. */
const waitingOnLock = (functionSuffix: string) => connectionsOf(functionSuffix, "wait_event_type = 'Lock'");

/** Connections of a function's containers inside a statement or a transaction. */
const connectionsAtWork = (functionSuffix: string) => connectionsOf(functionSuffix, "state <> 'idle'");

const syncsEventSource = async () => (await suite.stack.status()).eventSources.find((source) => source.queue.endsWith("-syncs"))!;

const syncConsumerWaitingOnLock = () =>
  eventually(() => waitingOnLock("consumeSyncs"), (waiting) => waiting === 1, { what: "the sync consumer waiting mid-sync" });

/**
 * Empties the syncs DLQ of what earlier lock-holding scenarios left there. The suite's 3 s
 * visibility timeout is shorter than a sync held on a row lock, so such a sync's claim check is
 * delivered again; a delete with the older receipt handle deletes nothing (as on AWS), and the
 * copy is parked on its last receive. Once the syncs queue is empty, no such copy is left to
 * arrive. A dead letter a scenario read and left hidden would not be seen here: none may remain.
 */
async function withoutEarlierDeadLetters(): Promise<void> {
  await eventually(() => probe.depth("syncs"), (depth) => depth === 0, { what: "the syncs queue to drain" });
  for (let letters = await probe.receiveDeadLetters("syncs-dlq"); letters.length > 0; letters = await probe.receiveDeadLetters("syncs-dlq")) {
    for (const { ReceiptHandle } of letters) await probe.sqs.send(new DeleteMessageCommand({ QueueUrl: probe.urlOf("syncs-dlq"), ReceiptHandle }));
  }
  expect(await probe.depth("syncs-dlq")).toBe(0);
}

describeOnBackend("bulk sync of offline clocks through an S3 claim check", () => {
  it("answers 503 when the bucket refuses the backlog, and the retry with the same key makes one sync", async () => {
    const backlog = aBacklog(20);
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    let refused;
    try {
      refused = await postSync(suite.stack.apiUrl, backlog, "retry-after-s3-outage");
    } finally {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
    expect(refused.status).toBe(503);
    expect(refused.body.message).toContain("retry with the same body and Idempotency-Key");
    expect(await probe.depth("syncs")).toBe(0);

    const accepted = await postSync(suite.stack.apiUrl, backlog, "retry-after-s3-outage");
    expect(accepted.status).toBe(202);
    expect(accepted.body.syncId).toBe(refused.body.syncId);
    const result = await settledSync(accepted.body.statusUrl!);
    expect(result.counts).toEqual({ received: 20, accepted: 20, persisted: 20, duplicate: 0, rejected: 0 });
  });

  it("answers 503 when the syncs queue is away, leaves no backlog behind, and the retry with the same key makes one sync", async () => {
    const syncs = suite.stack.queues.find((queue) => queue.logicalId === "SyncsQueue")!;
    const deadLetters = suite.stack.queues.find((queue) => queue.logicalId === syncs.deadLetterQueueLogicalId)!;
    const backlog = aBacklog(20);
    // The last scenario's delete lands after its sync reads done; one landing while the queue is
    // away fails, as on AWS, and the consumer would never count that record deleted.
    await probe.settledConsumerOf("syncs");
    await probe.sqs.send(new DeleteQueueCommand({ QueueUrl: syncs.url }));
    let refused;
    try {
      refused = await postSync(suite.stack.apiUrl, backlog, "retry-after-sqs-outage");
    } finally {
      // Back as the local stack created it from serverless.yml.
      await probe.sqs.send(
        new CreateQueueCommand({
          QueueName: syncs.name,
          Attributes: {
            VisibilityTimeout: String(syncs.visibilityTimeoutSeconds),
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetters.arn, maxReceiveCount: syncs.maxReceiveCount }),
          },
        }),
      );
    }
    expect(refused.status).toBe(503);
    // Nothing half-written: the backlog stored before the queue refused its claim check is gone.
    expect((await getSyncStatus(`${suite.stack.apiUrl}/punches/batches/${refused.body.syncId}`)).status).toBe(404);

    const accepted = await postSync(suite.stack.apiUrl, backlog, "retry-after-sqs-outage");
    expect(accepted.status).toBe(202);
    expect(accepted.body.syncId).toBe(refused.body.syncId);
    expect((await settledSync(accepted.body.statusUrl!)).counts).toMatchObject({ received: 20, persisted: 20 });
  });

  it("settles a 5,000-punch backlog with 2% invalid and 5% already stored punches to the exact counts and reasons", async () => {
    const backlog = aBacklog(5_000);
    const invalid = new Map<number, string>();
    for (let index = 7; index < 5_000; index += 50) {
      const kind = invalid.size % 3;
      const punch = backlog.punches[index]!;
      if (kind === 0) backlog.punches[index] = { ...punch, kind: "sideways" as "in" };
      if (kind === 1) backlog.punches[index] = { ...punch, occurredAt: "2026-11-31T08:00:00Z" };
      if (kind === 2) delete (backlog.punches[index] as Partial<typeof punch>).employeeId;
      invalid.set(index, ["/kind must be one of: in, out", "/occurredAt must be a real date and time", "/employeeId is required"][kind]!);
    }
    expect(invalid.size).toBe(100);
    const storedBefore = backlog.punches.filter((_, index) => index % 20 === 3);
    expect(storedBefore).toHaveLength(250);
    await probe.enqueue(storedBefore.map((punch) => JSON.stringify(punch)));
    await eventually(() => probe.rowsFor(storedBefore.map((punch) => punch.punchId)), (rows) => rows.length === 250, { what: "the 250 live rows" });

    const answer = await postSync(suite.stack.apiUrl, backlog);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: "pending", statusUrl: `${suite.stack.apiUrl}/punches/batches/${answer.body.syncId}` });
    const result = await settledSync(answer.body.statusUrl!);

    expect(result).toMatchObject({ status: "done", deviceId: backlog.deviceId });
    expect(result.counts).toEqual({ received: 5_000, accepted: 4_900, persisted: 4_650, duplicate: 250, rejected: 100 });
    expect(result.rejected.map((item) => item.index)).toEqual([...invalid.keys()]);
    for (const item of result.rejected) {
      expect(item.punchId).toBe(backlog.punches[item.index]!.punchId);
      expect(item.reason).toContain(invalid.get(item.index));
    }
    const valid = backlog.punches.filter((_, index) => !invalid.has(index)).map((punch) => punch.punchId);
    const rows = await probe.rowsFor(valid);
    expect(rows).toHaveLength(4_900);
    // The 250 stored live stay the live path's; the sync owns exactly the rows it counts as persisted.
    const live = new Set(storedBefore.map((punch) => punch.punchId));
    expect(rows.filter((row) => live.has(row.punch_id)).every((row) => row.sync_id === null)).toBe(true);
    expect(rows.filter((row) => row.sync_id === result.syncId)).toHaveLength(4_650);
    expect(await probe.rowsOfSync(result.syncId)).toBe(4_650);

    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `results/${result.syncId}.json` }));
    expect(JSON.parse(await stored.Body!.transformToString())).toEqual(result);
  });

  it("makes one sync of the same body sent twice with one Idempotency-Key, and refuses the key for another body", async () => {
    const backlog = aBacklog(300);
    const [first, second] = await Promise.all([
      postSync(suite.stack.apiUrl, backlog, "backlog-of-monday"),
      postSync(suite.stack.apiUrl, backlog, "backlog-of-monday"),
    ]);
    expect([first!.status, second!.status]).toEqual([202, 202]);
    expect(second!.body.syncId).toBe(first!.body.syncId);
    const result = await settledSync(first!.body.statusUrl!);
    expect(result.counts).toMatchObject({ received: 300, persisted: 300, duplicate: 0 });
    // Both claim checks were consumed; the second found the sync done and changed nothing.
    await eventually(() => probe.depth("syncs"), (depth) => depth === 0, { what: "the syncs queue to drain" });
    const syncs = await suite.db.query("SELECT persisted_count, duplicate_count FROM syncs WHERE sync_id = $1", [result.syncId]);
    expect(syncs.rows).toEqual([{ persisted_count: 300, duplicate_count: 0 }]);
    expect(await probe.rowsOfSync(result.syncId)).toBe(300);
    const rowsBefore = await probe.rowsFor(backlog.punches.map((punch) => punch.punchId));

    // Retried once the sync is done: the same sync, its outcome unchanged, nothing stored again.
    const consumedBefore = await probe.settledConsumerOf("syncs");
    const late = await postSync(suite.stack.apiUrl, backlog, "backlog-of-monday");
    expect(late.status).toBe(202);
    expect(late.body.syncId).toBe(result.syncId);
    await eventually(
      async () => ({ consumer: await probe.consumerOf("syncs"), depth: await probe.depth("syncs") }),
      ({ consumer, depth }) => depth === 0 && consumer.deleted - consumedBefore.deleted === 1,
      { what: "the retry's claim check consumed" },
    );
    expect(await settledSync(late.body.statusUrl!)).toEqual(result);
    expect(await probe.rowsFor(backlog.punches.map((punch) => punch.punchId))).toEqual(rowsBefore);

    const reused = await postSync(suite.stack.apiUrl, { ...backlog, punches: backlog.punches.slice(1) }, "backlog-of-monday");
    expect(reused.status).toBe(422);
    expect(reused.body.message).toContain("Idempotency-Key");
  });

  it("stores no punch twice and counts only its own rows when a backlog's punches race the same punches sent live", async () => {
    const backlog = aBacklog(400);
    const ids = backlog.punches.map((punch) => punch.punchId);
    // The sync inserts its punches in order in one statement; a punch held in an open transaction
    // stops it at index 300, with 0..299 written but not committed.
    const held = backlog.punches[300]!;
    const blocker = await holdPunch(held);
    let answer;
    try {
      answer = await postSync(suite.stack.apiUrl, backlog);
      expect(answer.status).toBe(202);
      await syncConsumerWaitingOnLock();

      // While the sync is stopped: the punches after the held one are stored live first...
      const storedLive = backlog.punches.slice(301);
      const liveAnswers = await withConcurrency(storedLive, 20, (punch) => postPunch(suite.stack.apiUrl, punch));
      expect(liveAnswers.every((live) => live.status === 202)).toBe(true);
      await eventually(() => probe.rowsFor(storedLive.map((punch) => punch.punchId)), (rows) => rows.length === 99, { what: "99 live rows" });
      // ...and the first hundred are sent live too, and wait on the sync's uncommitted rows.
      const racing = backlog.punches.slice(0, 100);
      expect((await withConcurrency(racing, 20, (punch) => postPunch(suite.stack.apiUrl, punch))).every((live) => live.status === 202)).toBe(true);
      await eventually(() => waitingOnLock("consumePunches"), (waiting) => waiting >= 1, { what: "the live consumer waiting on the sync's rows" });
    } finally {
      // The held punch is stored by the other path: it commits.
      await blocker.query("COMMIT");
      await blocker.end();
    }

    const result = await settledSync(answer.body.statusUrl!);
    await eventually(() => probe.depth("punches"), (depth) => depth === 0, { what: "the live punches to drain" });
    const rows = await probe.rowsFor(ids);
    expect(rows).toHaveLength(400);
    const mine = rows.filter((row) => row.sync_id === result.syncId);
    expect(result.counts.persisted).toBe(mine.length);
    expect(await probe.rowsOfSync(result.syncId)).toBe(result.counts.persisted);
    expect(result.counts.persisted + result.counts.duplicate).toBe(result.counts.accepted);
    expect(result.counts.accepted).toBe(400);
    // The rows the live path stored first (and the held one) are not the sync's; those it stored
    // first are, whoever came second.
    expect(result.counts.duplicate).toBe(100);
    expect(new Set(mine.map((row) => row.punch_id))).toEqual(new Set(ids.slice(0, 300)));
    expect(await probe.depth("dlq")).toBe(0);
  });

  it("completes a sync the database stopped in the middle of, losing and doubling nothing", async ({ skip }) => {
    const backlog = aBacklog(5_000);
    const server = databaseServerOf(backend, skip);
    // Hold one punch of the sixth chunk in an open transaction: the consumer stores five chunks,
    // then waits on that row, mid-sync, until the database goes away under both of them.
    const blocker = await holdPunch(backlog.punches[2_600]!);

    const answer = await postSync(suite.stack.apiUrl, backlog);
    expect(answer.status).toBe(202);
    await syncConsumerWaitingOnLock();
    await server.stop();
    await blocker.end().catch(() => {});
    await server.start();

    const result = await settledSync(answer.body.statusUrl!, { timeoutMs: 30_000 });
    expect(result.counts).toEqual({ received: 5_000, accepted: 5_000, persisted: 5_000, duplicate: 0, rejected: 0 });
    const rows = await probe.rowsFor(backlog.punches.map((punch) => punch.punchId));
    expect(rows).toHaveLength(5_000);
    expect(rows.every((row) => row.sync_id === result.syncId)).toBe(true);
    expect((await syncsEventSource()).failedRecords).toBeGreaterThanOrEqual(1);
  });

  it("runs at most two syncs at once, serverless.yml's maximumConcurrency for the sync consumer, and settles the rest after", async () => {
    const backlogs = Array.from({ length: 4 }, () => aBacklog(50));
    // Each sync waits on a row lock for its first punch, so every sync the poller starts stays running.
    const blockers = await Promise.all(backlogs.map((backlog) => holdPunch(backlog.punches[0]!)));
    let answers;
    try {
      answers = await Promise.all(backlogs.map((backlog) => postSync(suite.stack.apiUrl, backlog)));
      expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202]);
      await eventually(() => waitingOnLock("consumeSyncs"), (waiting) => waiting === 2, { what: "two syncs running" });
      // The cap, not the timing: two invocations run and the other two claim checks wait
      // unreceived, for as long as the suite's 3 s visibility timeout lets the running ones stay
      // hidden; the database never sees more than two of the consumer's connections at work.
      // Counted by the poller and the queue, not by sampling lock waits, which saw one of two
      // running invocations not waiting once in about ten loaded docker runs (cause not found).
      await throughout(
        async () => ({
          running: (await syncsEventSource()).inFlightBatches,
          working: await connectionsAtWork("consumeSyncs"),
          waiting: (await queueDepth(probe.sqs, probe.urlOf("syncs"))).visible,
        }),
        ({ running, working, waiting }) => running === 2 && working <= 2 && waiting === 2,
        { forMs: 1_500, what: "two syncs running and two waiting" },
      );
    } finally {
      await Promise.all(blockers.map((blocker) => blocker.query("ROLLBACK").then(() => blocker.end())));
    }
    for (const answer of answers) expect((await settledSync(answer.body.statusUrl!)).counts.persisted).toBe(50);
    expect((await syncsEventSource()).peakConcurrentBatches).toBe(2);
  });

  it("marks a sync whose backlog is gone failed and parks its claim check in the syncs DLQ at once", async () => {
    await withoutEarlierDeadLetters();
    const syncId = "0d9c6b1e-5f3a-4e7b-8c2d-1a0b9c8d7e6f";
    const { clientId: clockId } = await suite.stack.clocks.credentialsFor("clock-7");
    const claimCheck = { syncId, deviceId: "clock-7", clockId, bucket, key: `incoming/${syncId}.json`, count: 12, receivedAt: new Date().toISOString() };
    await probe.sqs.send(new SendMessageCommand({ QueueUrl: probe.urlOf("syncs"), MessageBody: JSON.stringify(claimCheck) }));

    const result = await settledSync(`${suite.stack.apiUrl}/punches/batches/${syncId}`, { as: "clock-7" });
    expect(result).toMatchObject({ status: "failed", failureReason: expect.stringContaining("does not exist") });
    const [parked] = await eventually(() => probe.receiveDeadLetters("syncs-dlq"), (messages) => messages.length === 1, {
      what: "the claim check in the syncs DLQ",
    });
    expect(JSON.parse(parked!.Body!)).toEqual(claimCheck);
    expect(parked!.MessageAttributes?.failureReason?.StringValue).toContain("does not exist");
    // Handled: read, it stays hidden for the DLQ's visibility timeout, past the next scenario's start.
    await probe.sqs.send(new DeleteMessageCommand({ QueueUrl: probe.urlOf("syncs-dlq"), ReceiptHandle: parked!.ReceiptHandle! }));
  });

  it("marks a sync failed on its last delivery while the database is down, and completes it once redriven", async ({ skip }) => {
    const server = databaseServerOf(backend, skip);
    const backlog = aBacklog(50);
    await withoutEarlierDeadLetters();
    await server.stop();
    let answer;
    try {
      // Accepting needs no database: the backlog waits in the bucket.
      answer = await postSync(suite.stack.apiUrl, backlog);
      expect(answer.status).toBe(202);
      // maxReceiveCount deliveries, a 3 s visibility timeout apart; the status comes from the bucket.
      const failed = await settledSync(answer.body.statusUrl!, { timeoutMs: 30_000 });
      expect(failed).toMatchObject({ status: "failed", failureReason: expect.stringMatching(/^gave up after 3 deliveries/) });
      await eventually(() => probe.depth("syncs-dlq"), (depth) => depth === 1, { what: "the claim check in the syncs DLQ", timeoutMs: 20_000 });
    } finally {
      await server.start();
    }

    expect(await redriveDeadLetters(probe.sqs, probe.urlOf("syncs-dlq"), probe.urlOf("syncs"))).toBe(1);
    const done = await settledSync(answer.body.statusUrl!, { until: ["done"] });
    expect(done.counts?.persisted).toBe(50);
  });

  it("answers 413 naming the limit to a 12 MB body, to bodies over Lambda's and the sync's size, and to too many punches, and queues nothing", async () => {
    const huge = await postSync(suite.stack.apiUrl, { deviceId: "clock-big", punches: ["x".repeat(12 * 1024 * 1024)] });
    expect(huge.status).toBe(413);
    expect(huge.body.message).toBe("Request Too Long");
    const overLambda = await postSync(suite.stack.apiUrl, { deviceId: "clock-big", punches: ["x".repeat(7 * 1024 * 1024)] });
    expect(overLambda.status).toBe(413);
    expect(overLambda.body.message).toContain("a Lambda invocation takes at most 6291456 bytes");
    const overSize = await postSync(suite.stack.apiUrl, { deviceId: "clock-big", punches: ["x".repeat(5.5 * 1024 * 1024)] });
    expect(overSize.status).toBe(413);
    expect(overSize.body.message).toContain("a sync takes at most 5242880 bytes");
    const overCount = await postSync(suite.stack.apiUrl, { deviceId: "clock-big", punches: Array.from({ length: 10_001 }, () => aPunch()) });
    expect(overCount.status).toBe(413);
    expect(overCount.body.message).toContain("at most 10000");
    expect(await probe.depth("syncs")).toBe(0);
  });

  it("accepts a sync at its exact limits, 10,000 punches and 5 MiB, and refuses one punch or one byte more", async () => {
    // Punches the consumer rejects cheaply: the limits are the envelope's, whatever its punches hold.
    const atCount = await postSync(suite.stack.apiUrl, { deviceId: "clock-many", punches: Array.from({ length: 10_000 }, () => ({})) });
    expect(atCount.status).toBe(202);
    const overCount = await postSync(suite.stack.apiUrl, { deviceId: "clock-many", punches: Array.from({ length: 10_001 }, () => ({})) });
    expect(overCount.status).toBe(413);
    expect(overCount.body.message).toBe("the sync holds 10001 punches; a sync takes at most 10000: split the backlog");

    const bodyOf = (bytes: number) => {
      const envelope = (padding: string) => JSON.stringify({ deviceId: "clock-big", punches: [{ padding }] });
      return envelope("x".repeat(bytes - envelope("").length));
    };
    const atSize = await postSync(suite.stack.apiUrl, bodyOf(5 * 1024 * 1024));
    expect(atSize.status).toBe(202);
    const overSize = await postSync(suite.stack.apiUrl, bodyOf(5 * 1024 * 1024 + 1));
    expect(overSize.status).toBe(413);
    expect(overSize.body.message).toBe("the body is 5242881 bytes; a sync takes at most 5242880 bytes: split the backlog");

    expect((await settledSync(atCount.body.statusUrl!)).counts).toEqual({ received: 10_000, accepted: 0, persisted: 0, duplicate: 0, rejected: 10_000 });
    expect((await settledSync(atSize.body.statusUrl!)).counts).toEqual({ received: 1, accepted: 0, persisted: 0, duplicate: 0, rejected: 1 });
  });

  it("accepts one of two different bodies sent at once with one Idempotency-Key, and refuses the other with 422", async ({ skip }) => {
    // Only a conditional write settles the race; an S3 emulator that ignores If-None-Match cannot.
    const probeKey = `conditional-write-probe/${randomUUID()}`;
    const put = () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: probeKey, Body: "{}", IfNoneMatch: "*" }));
    await put();
    const honoured = await put().then(() => false, (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode === 412);
    if (!honoured) skip(`this backend's S3 ignores If-None-Match on PutObject (AWS S3 and LocalStack honour it): the race cannot be settled here`);
    const monday = aBacklog(30);
    const tuesday = { deviceId: monday.deviceId, punches: aBacklog(40, monday.deviceId).punches };
    const answers = await Promise.all([postSync(suite.stack.apiUrl, monday, "one-key-two-bodies"), postSync(suite.stack.apiUrl, tuesday, "one-key-two-bodies")]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 422]);
    const winner = answers[0]!.status === 202 ? monday : tuesday;
    const accepted = answers.find((answer) => answer.status === 202)!;
    // The sync settles the body its 202 was for, not the other one.
    const result = await settledSync(accepted.body.statusUrl!);
    expect(result.counts).toMatchObject({ received: winner.punches.length, persisted: winner.punches.length });
    expect(await probe.rowsOfSync(result.syncId)).toBe(winner.punches.length);
  });

  it("answers 400 naming the field for a malformed envelope, and 404 for an unknown sync", async () => {
    const malformed = await postSync(suite.stack.apiUrl, { deviceId: "clock-7", punches: "all of them" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([{ field: "/punches", message: "must be an array of punches" }]);
    const unknown = await getSyncStatus(`${suite.stack.apiUrl}/punches/batches/6f1c2b9e-8d4a-4c1e-9b7a-3e5f2a1d0c9b`, { as: "clock-7" });
    expect(unknown.status).toBe(404);
  });

  it("puts synced punches into the timesheet in occurredAt order, however late they arrived", async () => {
    const clockOut = aPunch({ kind: "out", occurredAt: "2026-11-19T17:00:00-03:00" });
    expect((await postPunch(suite.stack.apiUrl, clockOut)).status).toBe(202);
    await eventually(() => probe.rowsFor([clockOut.punchId]), (rows) => rows.length === 1, { what: "the live clock-out" });
    const clockIn = aPunch({ employeeId: clockOut.employeeId, kind: "in", occurredAt: "2026-11-19T08:00:00-03:00" });
    const sync = await postSync(suite.stack.apiUrl, { deviceId: clockIn.deviceId, punches: [clockIn] });
    expect((await settledSync(sync.body.statusUrl!)).counts.persisted).toBe(1);

    const sheet = (await (
      await getTimesheet(suite.stack.apiUrl, clockOut.employeeId, "from=2026-11-19&to=2026-11-19")
    ).json()) as { totalHours: number; days: Array<{ intervals: Array<{ in: { punchId: string }; out: { punchId: string } }> }> };
    expect(sheet.totalHours).toBe(9);
    expect(sheet.days[0]!.intervals[0]).toMatchObject({ in: { punchId: clockIn.punchId }, out: { punchId: clockOut.punchId } });
  });
});
