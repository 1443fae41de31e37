import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "./support/eventually.ts";
import { aPunch, postPunch } from "./support/punches.ts";
import { startSuiteStack, type SuiteStack } from "./support/suiteStack.ts";

let suite: SuiteStack;
let sqs: SQSClient;
const queueUrl = (suffix: string) => suite.stack.queues.find((queue) => queue.name.endsWith(suffix))!.url;

beforeAll(async () => {
  suite = await startSuiteStack("pipeline");
  sqs = new SQSClient({
    endpoint: suite.stack.awsEndpoint,
    region: suite.stack.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
});

afterAll(async () => {
  sqs?.destroy();
  await suite?.stop();
});

async function rowsFor(punchIds: string[]): Promise<Array<{ punch_id: string; correlation_id: string | null }>> {
  const { rows } = await suite.db.query("SELECT punch_id, correlation_id FROM punches WHERE punch_id = ANY($1::uuid[])", [punchIds]);
  return rows;
}

async function queueDepth(suffix: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl(suffix),
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
}

describe("the storage-first punch pipeline", () => {
  it("answers 202 with the message id and stores the punch, with the request's correlation id", async () => {
    const punch = aPunch();
    const response = await postPunch(suite.stack.apiUrl, punch);

    expect(response.status).toBe(202);
    expect(response.body.messageId).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await eventually(() => rowsFor([punch.punchId]), (found) => found.length === 1, { what: "the row" });
    expect(rows[0]?.correlation_id).toBe(response.body.correlationId);
  });

  it("shows posted punches in the employee's timesheet", async () => {
    const clockIn = aPunch({ kind: "in", occurredAt: "2026-11-23T08:00:00-03:00" });
    const clockOut = aPunch({ employeeId: clockIn.employeeId, kind: "out", occurredAt: "2026-11-23T16:30:00-03:00" });
    for (const punch of [clockOut, clockIn]) expect((await postPunch(suite.stack.apiUrl, punch)).status).toBe(202);

    const url = `${suite.stack.apiUrl}/employees/${clockIn.employeeId}/timesheet?from=2026-11-23&to=2026-11-23`;
    const sheet = await eventually(
      async () => (await fetch(url)).json() as Promise<{ totalHours: number; unmatched: unknown[] }>,
      (body) => body.totalHours === 8.5,
      { what: "8.5 hours in the timesheet" },
    );
    expect(sheet.unmatched).toEqual([]);
  });

  it("answers 400 naming the wrong fields, and enqueues nothing", async () => {
    const before = await queueDepth("-punches");
    const response = await postPunch(suite.stack.apiUrl, { ...aPunch(), kind: "lunch", deviceId: undefined });

    expect(response.status).toBe(400);
    expect(response.body.message).toBe("Invalid request body");
    expect(response.body.errors).toContain("/kind must be one of: in, out");
    expect(response.body.errors).toContain("/deviceId is required");
    expect(await queueDepth("-punches")).toBe(before);
  });

  it("answers 400 to a body that is not JSON", async () => {
    const response = await postPunch(suite.stack.apiUrl, "{not json");
    expect(response.status).toBe(400);
  });

  it("stores a punch sent twice as one row", async () => {
    const punch = aPunch();
    expect((await postPunch(suite.stack.apiUrl, punch)).status).toBe(202);
    expect((await postPunch(suite.stack.apiUrl, punch)).status).toBe(202);

    await eventually(() => rowsFor([punch.punchId]), (rows) => rows.length === 1, { what: "the row" });
    await eventually(() => queueDepth("-punches"), (depth) => depth === 0, { what: "the queue to drain" });
    expect(await rowsFor([punch.punchId])).toHaveLength(1);
  });

  it("parks a message that can never be processed in the DLQ with the reason, and stores the rest of its batch", async () => {
    const good = Array.from({ length: 9 }, () => aPunch());
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl("-punches"),
        Entries: [
          ...good.map((punch, index) => ({ Id: `good-${index}`, MessageBody: JSON.stringify(punch) })),
          { Id: "poison", MessageBody: '{"punchId":"not-a-uuid","kind":"in"}' },
        ],
      }),
    );

    await eventually(() => rowsFor(good.map((punch) => punch.punchId)), (rows) => rows.length === 9, { what: "nine rows" });
    const { Messages = [] } = await eventually(
      () =>
        sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl("-punches-dlq"), MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }),
        ),
      (result) => (result.Messages ?? []).length > 0,
      { what: "the poison message in the DLQ" },
    );
    expect(Messages[0]?.Body).toBe('{"punchId":"not-a-uuid","kind":"in"}');
    const reason = Messages[0]?.MessageAttributes?.failureReason?.StringValue;
    expect(reason).toContain("/punchId must match pattern");
    expect(reason).toContain("/employeeId is required");
  });

  it("answers an unknown route with 404 and keeps serving", async () => {
    const unknown = await fetch(`${suite.stack.apiUrl}/nowhere`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: "No such route: check the method and the path" });
    expect((await postPunch(suite.stack.apiUrl, aPunch())).status).toBe(202);
  });

  it("reports queues and functions at /_local/status", async () => {
    const status = (await (await fetch(`${suite.stack.apiUrl}/_local/status`)).json()) as {
      queues: Array<{ name: string; deadLetterQueue?: { maxReceiveCount: number } }>;
      functions: Array<{ name: string; invocations: number }>;
    };
    expect(status.queues).toEqual([expect.objectContaining({ deadLetterQueue: expect.objectContaining({ maxReceiveCount: 5 }) })]);
    expect(status.functions.find((fn) => fn.name.endsWith("consumePunches"))?.invocations).toBeGreaterThan(0);
  });
});
