import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { validatePunch, type Punch } from "../src/domain/punch.ts";
import { describeOnBackend } from "./support/backendFixture.ts";
import { eventually } from "./support/eventually.ts";
import { UNREAL_INSTANTS, occurredAtCandidates } from "./support/generatedPunches.ts";
import { pipelineProbe, withConcurrency, type PipelineProbe } from "./support/pipelineProbe.ts";
import { clockHeaders, clockOfBody, getTimesheet } from "./support/credentials.ts";
import { aPunch } from "./support/punches.ts";
import { getSyncStatus } from "./support/syncs.ts";
import { startSuiteStack, type SuiteStack } from "./support/suiteStack.ts";

let suite: SuiteStack;
let probe: PipelineProbe;

beforeAll(async () => {
  suite = await startSuiteStack("edge");
  probe = pipelineProbe(suite);
});

afterAll(async () => {
  probe?.destroy();
  await suite?.stop();
});

/** A POST /punches whose answer must be JSON, whatever the status: a clock has to parse it. */
async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${suite.stack.apiUrl}/punches`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(await clockHeaders(suite.stack, clockOfBody(body))) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    throw new Error(`${response.status} answered a body that is not JSON: ${text}`);
  }
}

/**
 * Whatever went into the queue before it is consumed before a punch sent after it: once that
 * sentinel's row exists, a refused punch that had been queued would have been handled too.
 */
async function drainedUpToNow(): Promise<void> {
  const sentinel = aPunch();
  expect((await post(sentinel)).status).toBe(202);
  await eventually(() => probe.rowsFor([sentinel.punchId]), (rows) => rows.length === 1, { what: "the sentinel's row" });
  await eventually(() => probe.depth("punches"), (depth) => depth === 0, { what: "the queue to drain" });
}

describeOnBackend("the edge: 202 means the punch will be in the timesheet", () => {
  it.each(UNREAL_INSTANTS)("refuses an occurredAt with %s with a 400 whose body is valid JSON, and queues nothing", async (_case, occurredAt) => {
    const punch = aPunch({ occurredAt });
    const answer = await post(punch);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      message: "Invalid request body",
      errors: expect.stringContaining(`does not match input string "${occurredAt}"`),
    });
    await drainedUpToNow();
    expect(await probe.rowsFor([punch.punchId])).toEqual([]);
    expect(await probe.depth("dlq")).toBe(0);
  });

  it("stores whatever it accepts, and refuses only what the consumer would refuse, over a generated corpus", async () => {
    const corpus: Punch[] = fc.sample(occurredAtCandidates, { numRuns: 150, seed: 20261123 }).map((occurredAt) => aPunch({ occurredAt }));
    const statuses = await withConcurrency(corpus, 10, async (punch) => (await post(punch)).status);
    const accepted = corpus.filter((_, index) => statuses[index] === 202);
    const refused = corpus.filter((_, index) => statuses[index] === 400);
    expect(accepted.length + refused.length).toBe(corpus.length);
    // The seed gives both kinds; a corpus of one kind would prove half the claim.
    expect(accepted.length).toBeGreaterThan(10);
    expect(refused.length).toBeGreaterThan(10);

    await eventually(() => probe.rowsFor(accepted.map((punch) => punch.punchId)), (rows) => rows.length === accepted.length, {
      what: `the ${accepted.length} accepted punches stored`,
      timeoutMs: 30_000,
    });
    await drainedUpToNow();
    expect(await probe.depth("dlq")).toBe(0);
    expect(await probe.rowsFor(refused.map((punch) => punch.punchId))).toEqual([]);
    for (const punch of refused) expect(validatePunch(punch).ok, punch.occurredAt).toBe(false);
  });

  it.each([
    ["a NUL byte", "e%00x"],
    ["an overlong UTF-8 sequence", "%C0%80"],
    ["an invalid UTF-8 byte", "%FF"],
    ["a right-to-left override", "e%E2%80%AE1"],
    ["a space", "e%2017"],
    ["a path traversal", "..%2F..%2Fetc"],
    ["65 characters", "e".repeat(65)],
    ["2,000 characters", "e".repeat(2_000)],
  ])("answers a timesheet request for an employeeId with %s with a 4xx and a JSON body, never a 5xx", async (_case, employeeId) => {
    const response = await getTimesheet(suite.stack, employeeId, "from=2026-11-23&to=2026-11-23", { manager: true });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await response.json()).toMatchObject({ message: expect.any(String) });
  });

  it("answers a sync status request with a hostile syncId with a 400", async () => {
    for (const syncId of ["%00", "%C0%80", "x".repeat(300)]) {
      const response = await getSyncStatus(`${suite.stack.apiUrl}/punches/batches/${syncId}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ message: "Invalid path" });
    }
  });
});
