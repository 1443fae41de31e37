import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeServiceVariant } from "../dev/ponto/serviceVariant.ts";
import { describeOnBackend } from "./support/backendFixture.ts";
import { clockHeaders, getTimesheet, personHeaders } from "./support/credentials.ts";
import { eventually } from "./support/eventually.ts";
import { pipelineProbe, type PipelineProbe } from "./support/pipelineProbe.ts";
import { aPunch } from "./support/punches.ts";
import { getSyncStatus, postSync, settledSync } from "./support/syncs.ts";
import { startSuiteStack, type SuiteStack } from "./support/suiteStack.ts";

// Small limits, so a test reaches them in seconds: a bucket of 3 refilled at 1 a second, 6 a day.
const LIMITS = { rateLimit: 1, burstLimit: 3, quotaPerDay: 6 };

let suite: SuiteStack;
let probe: PipelineProbe;

beforeAll(async () => {
  const config = await writeServiceVariant({ clockLimits: LIMITS });
  suite = await startSuiteStack("auth", { configFile: config.configFile }).finally(() => config.remove());
  probe = pipelineProbe(suite);
});

afterAll(async () => {
  probe?.destroy();
  await suite?.stop();
});

/** A request whose answer must be JSON, whatever the status: a clock has to parse it. */
async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${suite.stack.apiUrl}${path}`, init);
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    throw new Error(`${response.status} answered a body that is not JSON: ${text}`);
  }
}

const postPunchWith = (headers: Record<string, string>, body: unknown = aPunch()) =>
  call("/punches", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

/** A token with Cognito's claims, signed by a key the user pool never had. */
async function forgedToken(): Promise<string> {
  const { privateKey } = await generateKeyPair("RS256");
  const pool = suite.stack.userPools[0]!;
  const { kid } = pool.jwks().keys[0]!;
  return new SignJWT({ client_id: "forged", scope: "ponto/punches.write", token_use: "access" })
    .setProtectedHeader({ alg: "RS256", kid })
    .setIssuer(pool.issuer)
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(privateKey);
}

describeOnBackend("who may call the API: clocks by token and API key, people by their own token", () => {
  it("answers 401 Unauthorized, as JSON, to every route called without a token or with a bad one, and queues nothing", async () => {
    const { "x-api-key": apiKey } = await clockHeaders(suite.stack, "clock-auth-401");
    const employeeToken = (await personHeaders(suite.stack, "e-401")).authorization!;
    const clockToken = (await clockHeaders(suite.stack, "clock-auth-401")).authorization!;
    const depthBefore = await probe.depth("punches");
    const badAuthorizations = [undefined, "Bearer not-a-jwt", `Bearer ${await forgedToken()}`];
    for (const authorization of badAuthorizations) {
      const headers = { "x-api-key": apiKey!, ...(authorization !== undefined && { authorization }) };
      for (const answer of [
        await postPunchWith(headers),
        await call("/punches/batches", { method: "POST", headers, body: JSON.stringify({ deviceId: "clock-auth-401", punches: [aPunch()] }) }),
        await call("/punches/batches/6f1c2b9e-8d4a-4c1e-9b7a-3e5f2a1d0c9b", { headers }),
        await call("/employees/e-401/timesheet?from=2026-11-23&to=2026-11-23", { headers }),
      ]) {
        expect(answer).toEqual({ status: 401, body: { message: "Unauthorized" } });
      }
    }
    // A valid token without the method's scope: a person's on the clocks' routes, a clock's on timesheets.
    expect(await postPunchWith({ "x-api-key": apiKey!, authorization: employeeToken })).toEqual({ status: 401, body: { message: "Unauthorized" } });
    expect(await call("/employees/e-401/timesheet?from=2026-11-23&to=2026-11-23", { headers: { authorization: clockToken } })).toEqual({
      status: 401,
      body: { message: "Unauthorized" },
    });
    expect(await probe.depth("punches")).toBe(depthBefore);
  });

  it("answers 403 Forbidden, as JSON, to a clock's punch or sync without an API key or with an unknown one", async () => {
    const { authorization } = await clockHeaders(suite.stack, "clock-auth-403");
    const withoutKey: Array<Record<string, string>> = [{ authorization: authorization! }, { authorization: authorization!, "x-api-key": "not-a-key-of-this-api" }];
    for (const headers of withoutKey) {
      expect(await postPunchWith(headers)).toEqual({ status: 403, body: { message: "Forbidden" } });
      const sync = await call("/punches/batches", { method: "POST", headers, body: JSON.stringify({ deviceId: "clock-auth-403", punches: [aPunch()] }) });
      expect(sync).toEqual({ status: 403, body: { message: "Forbidden" } });
    }
  });

  it("stores the authenticated clock with the row, whatever deviceId the body claims", async () => {
    const sender = await suite.stack.clocks.credentialsFor("clock-auth-sender");
    const posing = aPunch({ deviceId: "clock-of-someone-else" });
    expect((await postPunchWith(sender.headers, posing)).status).toBe(202);
    await eventually(() => probe.rowsFor([posing.punchId]), (rows) => rows.length === 1, { what: "the punch's row" });
    const { rows } = await suite.db.query<{ clock_id: string; device_id: string }>("SELECT clock_id, device_id FROM punches WHERE punch_id = $1", [posing.punchId]);
    expect(rows).toEqual([{ clock_id: sender.clientId, device_id: "clock-of-someone-else" }]);
  });

  it("answers 404 to a clock asking for another clock's sync, and the sync to the clock that sent it, whose rows name it", async () => {
    const sent = await postSync(suite.stack, { deviceId: "clock-auth-owner", punches: [aPunch({ deviceId: "clock-auth-owner" })] });
    expect(sent.status).toBe(202);
    const result = await settledSync(sent.body.statusUrl!);
    expect(result).toMatchObject({ status: "done", counts: { persisted: 1 } });
    const owner = await suite.stack.clocks.credentialsFor("clock-auth-owner");
    expect(result.clockId).toBe(owner.clientId);

    const other = await getSyncStatus(sent.body.statusUrl!, { as: "clock-auth-other" });
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ message: `there is no sync ${sent.body.syncId}` });
    const { rows } = await suite.db.query<{ clock_id: string }>("SELECT DISTINCT clock_id FROM punches WHERE sync_id = $1", [sent.body.syncId]);
    expect(rows).toEqual([{ clock_id: owner.clientId }]);
  });

  it("answers 403 to an employee reading another's timesheet, and 200 to the employee's own and to a manager", async () => {
    const range = "from=2026-11-23&to=2026-11-23";
    const another = await getTimesheet(suite.stack, "e-alice", range, { as: "e-bob" });
    expect(another.status).toBe(403);
    expect(await another.json()).toEqual({ message: expect.stringContaining("their own timesheet") });
    expect((await getTimesheet(suite.stack, "e-alice", range)).status).toBe(200);
    const manager = await getTimesheet(suite.stack, "e-alice", range, { as: "m-carol", manager: true });
    expect(manager.status).toBe(200);
    expect(await manager.json()).toMatchObject({ employeeId: "e-alice" });
  });

  it("answers 429 Too Many Requests to a clock over its burst, and stores every punch it accepted", async () => {
    const { headers } = await suite.stack.clocks.credentialsFor("clock-auth-burst");
    const punches = Array.from({ length: LIMITS.burstLimit + 2 }, () => aPunch({ deviceId: "clock-auth-burst" }));
    const answers = await Promise.all(punches.map((punch) => postPunchWith(headers, punch)));
    const accepted = punches.filter((_, index) => answers[index]!.status === 202);
    expect(accepted).toHaveLength(LIMITS.burstLimit);
    expect(answers.filter((answer) => answer.status === 429).map((answer) => answer.body)).toEqual([
      { message: "Too Many Requests" },
      { message: "Too Many Requests" },
    ]);
    const acceptedIds = accepted.map((punch) => punch.punchId);
    await eventually(() => probe.rowsFor(acceptedIds), (rows) => rows.length === acceptedIds.length, { what: "every accepted punch stored" });
    expect(await probe.rowsFor(punches.map((punch) => punch.punchId))).toHaveLength(LIMITS.burstLimit);
  });

  it("answers 429 Limit Exceeded to a clock over its daily quota, and stores every punch under it", async () => {
    const { headers } = await suite.stack.clocks.credentialsFor("clock-auth-quota");
    const sent: Array<{ punchId: string; status: number; body: Record<string, unknown> }> = [];
    // Paced under the rate, so only the quota can refuse.
    for (let index = 0; index < LIMITS.quotaPerDay + 1; index += 1) {
      if (index >= LIMITS.burstLimit) await new Promise((resolve) => setTimeout(resolve, 1_100 / LIMITS.rateLimit));
      const punch = aPunch({ deviceId: "clock-auth-quota" });
      sent.push({ punchId: punch.punchId, ...(await postPunchWith(headers, punch)) });
    }
    expect(sent.map((answer) => answer.status)).toEqual([...Array<number>(LIMITS.quotaPerDay).fill(202), 429]);
    expect(sent.at(-1)!.body).toEqual({ message: "Limit Exceeded" });
    const underQuota = sent.slice(0, LIMITS.quotaPerDay).map((answer) => answer.punchId);
    await eventually(() => probe.rowsFor(underQuota), (rows) => rows.length === LIMITS.quotaPerDay, { what: "every punch under the quota stored" });
    expect(await probe.rowsFor([sent.at(-1)!.punchId])).toEqual([]);
  });
});
