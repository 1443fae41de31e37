import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeServiceVariant } from "../dev/ponto/serviceVariant.ts";
import { describeOnBackend } from "./support/backendFixture.ts";
import { eventually } from "./support/eventually.ts";
import { pipelineProbe, withConcurrency, type PipelineProbe } from "./support/pipelineProbe.ts";
import { aPunch, postPunch } from "./support/punches.ts";
import { serviceDir, startSuiteStack, type SuiteStack } from "./support/suiteStack.ts";

let suite: SuiteStack;
let probe: PipelineProbe;

beforeAll(async () => {
  // A punch the database refuses reaches the DLQ after one receive, a second later.
  const config = await writeServiceVariant({ visibilityTimeout: 1, maxReceiveCount: 1 });
  suite = await startSuiteStack("redrive", { configFile: config.configFile }).finally(() => config.remove());
  probe = pipelineProbe(suite);
});

afterAll(async () => {
  probe?.destroy();
  await suite?.stop();
});

/** `npm run redrive -- <args>`, as a user runs it; never throws, so a failure's output can be read. */
async function redrive(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(serviceDir, "dev/commands/redrive.ts"), ...args], { cwd: serviceDir });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Until the returned function runs, Postgres refuses punches of this employee: a fault to fix. */
async function refuseEmployee(employeeId: string): Promise<() => Promise<void>> {
  const constraint = `refuses_${employeeId.replace(/\W/g, "_")}`;
  await suite.db.query(`ALTER TABLE punches ADD CONSTRAINT ${constraint} CHECK (employee_id <> '${employeeId}')`);
  return async () => void (await suite.db.query(`ALTER TABLE punches DROP CONSTRAINT ${constraint}`));
}

/** A claim check naming a backlog that is not in the bucket: parked in the syncs DLQ at once. */
async function parkASync(): Promise<void> {
  const syncId = crypto.randomUUID();
  const { clientId: clockId } = await suite.stack.clocks.credentialsFor("clock-7");
  const claimCheck = { syncId, deviceId: "clock-7", clockId, bucket: suite.stack.buckets[0], key: `incoming/${syncId}.json`, count: 1, receivedAt: new Date().toISOString() };
  await probe.sqs.send(new SendMessageCommand({ QueueUrl: probe.urlOf("syncs"), MessageBody: JSON.stringify(claimCheck) }));
}

describeOnBackend("npm run redrive", () => {
  it("moves every message of the DLQ it is given back, more than ten, and each redriven punch keeps its request's correlation id", async () => {
    const employeeId = "e-redrive-many";
    const punches = Array.from({ length: 23 }, () => aPunch({ employeeId }));
    const fixed = await refuseEmployee(employeeId);
    let answers;
    try {
      answers = await withConcurrency(punches, 10, (punch) => postPunch(suite.stack.apiUrl, punch));
      expect(answers.every((answer) => answer.status === 202)).toBe(true);
      await eventually(() => probe.depth("dlq"), (depth) => depth === 23, { what: "23 punches in the DLQ", timeoutMs: 20_000 });
      await parkASync();
      await eventually(() => probe.depth("syncs-dlq"), (depth) => depth === 1, { what: "the claim check in the syncs DLQ" });
    } finally {
      await fixed();
    }

    const run = await redrive("--api", suite.stack.apiUrl, "--queue", probe.punchesQueueName);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`${probe.punchesQueueName}-dlq → ${probe.punchesQueueName}: 23 messages moved`);

    const rows = await eventually(() => probe.rowsFor(punches.map((punch) => punch.punchId)), (found) => found.length === 23, { what: "the 23 redriven rows" });
    const correlationOf = new Map(punches.map((punch, index) => [punch.punchId, answers[index]!.body.correlationId]));
    for (const row of rows) expect(row.correlation_id).toBe(correlationOf.get(row.punch_id));
    expect(await probe.depth("dlq")).toBe(0);
    // --queue picked one source: the syncs DLQ was left alone.
    expect(await probe.depth("syncs-dlq")).toBe(1);
  });

  it("without --queue, moves both DLQs, the punches' and the syncs'", async () => {
    const employeeId = "e-redrive-both";
    const punch = aPunch({ employeeId });
    const fixed = await refuseEmployee(employeeId);
    try {
      expect((await postPunch(suite.stack.apiUrl, punch)).status).toBe(202);
      await eventually(() => probe.depth("dlq"), (depth) => depth === 1, { what: "the punch in the DLQ", timeoutMs: 20_000 });
    } finally {
      await fixed();
    }
    // The syncs DLQ holds the claim check parked by the scenario before, or one parked now.
    if ((await probe.depth("syncs-dlq")) === 0) await parkASync();
    await eventually(() => probe.depth("syncs-dlq"), (depth) => depth === 1, { what: "a claim check in the syncs DLQ" });
    const syncsQueue = suite.stack.queues.find((queue) => queue.logicalId === "SyncsQueue")!.name;

    const run = await redrive("--api", suite.stack.apiUrl);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n").sort()).toEqual(
      [`${probe.punchesQueueName}-dlq → ${probe.punchesQueueName}: 1 message moved`, `${syncsQueue}-dlq → ${syncsQueue}: 1 message moved`].sort(),
    );
    await eventually(() => probe.rowsFor([punch.punchId]), (rows) => rows.length === 1, { what: "the redriven punch" });
    expect(await probe.depth("dlq")).toBe(0);
  });

  it("names the queues it knows when --queue names another, and says how to start a stack when none answers", async () => {
    const unknown = await redrive("--api", suite.stack.apiUrl, "--queue", "no-such-queue");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error: no queue with a DLQ named no-such-queue; the stack has: ");
    expect(unknown.stderr).toContain(probe.punchesQueueName);

    const nobody = await redrive("--api", "http://127.0.0.1:9");
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain("error: no local stack answers at http://127.0.0.1:9: start it with `npm run dev`, or pass --api");
  });
});
