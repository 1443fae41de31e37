import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { randomBytes } from "node:crypto";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { LocalStatus } from "../dev/aws/index.ts";
import { describeOnBackend } from "./support/backendFixture.ts";
import { eventually } from "./support/eventually.ts";
import { aPunch, postPunch } from "./support/punches.ts";
import { startSuiteStack, type SuiteStack } from "./support/suiteStack.ts";

/** Debian's chromium (.ci/run installs it); playwright-core downloads no browser of its own. */
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

describeOnBackend("the local console at /_local/", () => {
  let suite: SuiteStack;
  let sqs: SQSClient;
  let browser: Browser;
  let page: Page;
  const status = async () => (await (await fetch(`${suite.stack.apiUrl}/_local/status`)).json()) as LocalStatus;
  const punchesQueue = () => suite.stack.queues.find((queue) => queue.name.endsWith("-punches"))!;

  beforeAll(async () => {
    suite = await startSuiteStack("console");
    sqs = new SQSClient(suite.stack.clientConfig);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${suite.stack.apiUrl}/_local/`);
    await page.locator("#connection.live").waitFor({ timeout: 10_000 });
  });

  afterAll(async () => {
    await browser?.close();
    sqs?.destroy();
    await suite?.stop();
  });

  it("draws each queue and function of serverless.yml in the pipeline", async () => {
    for (const queue of (await status()).queues) {
      await page.locator(`#pipeline [data-box="queue"][data-name="${queue.name}"]`).first().waitFor({ timeout: 5_000 });
    }
    for (const runtime of suite.stack.functions) {
      await page.locator(`#pipeline [data-box="function"][data-name="${runtime.name}"]`).first().waitFor({ timeout: 5_000 });
    }
    expect(await page.locator('#pipeline [data-box="event source"]').count()).toBe(2);
    expect(await page.locator("canvas").count()).toBe(3);
  });

  it("draws the Cognito authorizer between each route it guards and what the route reaches", async () => {
    const guarded = page.locator('#pipeline .flow:has([data-box="authorizer"][data-kind="cognito"])');
    await guarded.first().waitFor({ timeout: 5_000 });
    const boxes = await guarded.first().locator("[data-box]").evaluateAll((found) => found.map((box) => box.getAttribute("data-box")));
    expect(boxes.slice(0, 3)).toEqual(["route", "authorizer", "queue"]);
  });

  it("lists a message the consumer parks in the DLQ, with its reason, within 2 s, and redrives it back to its queue", async () => {
    const marker = `not-a-uuid-${randomBytes(4).toString("hex")}`;
    await sqs.send(new SendMessageCommand({ QueueUrl: punchesQueue().url, MessageBody: JSON.stringify({ punchId: marker }) }));
    // Visible, or in flight while the page itself reads the DLQ: either way it is parked there.
    await eventually(status, (now) => now.queues.some(({ deadLetterQueue }) => (deadLetterQueue ? deadLetterQueue.visible + deadLetterQueue.inFlight : 0) > 0), {
      what: "the message parked in the DLQ",
    });

    const row = page.locator("#dead-letters tr", { hasText: marker });
    await row.waitFor({ timeout: 2_000 });
    expect(await row.locator("td.reason").textContent()).toMatch(/^invalid punch: /);
    const parkedId = await row.getAttribute("data-message-id");

    const redrivenAt = Date.now();
    page.once("dialog", (dialog) => void dialog.accept());
    await row.locator('button[data-action="redrive"]').click();

    // It left the DLQ, the consumer received it again from its queue, and parked it once more.
    await page.locator(`#dead-letters tr[data-message-id="${parkedId}"]`).waitFor({ state: "detached", timeout: 10_000 });
    const trace = await eventually(
      async () => (await (await fetch(`${suite.stack.apiUrl}/_local/trace?q=${marker}`)).json()) as { invocations: Array<{ startedAt: number }> },
      (found) => found.invocations.some((invocation) => invocation.startedAt >= redrivenAt),
      { what: "an invocation of the redriven message" },
    );
    expect(trace.invocations.length).toBeGreaterThanOrEqual(2);
    await page.locator("#dead-letters tr", { hasText: marker }).waitFor({ timeout: 10_000 });
  });

  it("deletes one dead letter from the page after a confirmation", async () => {
    const marker = `not-a-uuid-${randomBytes(4).toString("hex")}`;
    await sqs.send(new SendMessageCommand({ QueueUrl: punchesQueue().url, MessageBody: JSON.stringify({ punchId: marker }) }));
    const row = page.locator("#dead-letters tr", { hasText: marker });
    await row.waitFor({ timeout: 15_000 });
    page.once("dialog", (dialog) => void dialog.dismiss());
    await row.locator('button[data-action="delete"]').click();
    expect(await row.count()).toBe(1);
    page.once("dialog", (dialog) => void dialog.accept());
    await row.locator('button[data-action="delete"]').click();
    await row.waitFor({ state: "detached", timeout: 5_000 });
  });

  it("traces a posted punch: request, message, invocation and stored row", async () => {
    const punch = aPunch();
    const posted = await postPunch(suite.stack.apiUrl, punch);
    expect(posted.status).toBe(202);
    const correlationId = String(posted.body.correlationId);
    await eventually(
      async () => (await suite.db.query("SELECT 1 FROM punches WHERE punch_id = $1", [punch.punchId])).rowCount,
      (count) => count === 1,
      { what: "the punch stored" },
    );

    for (const term of [correlationId, punch.punchId]) {
      await page.fill("#trace-term", term);
      await page.click("#trace-form button");
      await page.locator("[data-verdict]", { hasText: "stored" }).waitFor({ timeout: 5_000 });
      expect(await page.locator('[data-step="request"]').textContent()).toContain(correlationId);
      expect(await page.locator('[data-step="message"]').textContent()).toContain(String(posted.body.messageId));
      expect(await page.locator('[data-step="invocation"] [data-field="outcome"]').first().textContent()).toBe("succeeded");
      expect(await page.locator('[data-step="invocation"]').first().textContent()).toMatch(/container \d+/);
      expect(await page.locator('[data-step="stored"]').textContent()).toContain(punch.punchId);
    }
  });

  it("shows the figures /_local/status reports", async () => {
    const pageFigures = () =>
      page.evaluate(() => {
        const read = (box: Element | null, field: string) => box?.querySelector(`[data-field="${field}"]`)?.textContent ?? null;
        const queues = Array.from(document.querySelectorAll('#pipeline [data-box="queue"]')).map((box) => ({
          name: box.getAttribute("data-name"),
          visible: read(box, "visible"),
          inFlight: read(box, "inFlight"),
          deadLetterMessages: read(box, "deadLetterMessages"),
        }));
        const functions = Array.from(document.querySelectorAll('#pipeline [data-box="function"]')).map((box) => ({
          name: box.getAttribute("data-name"),
          invocations: read(box, "invocations"),
          errors: read(box, "errors"),
          coldStarts: read(box, "coldStarts"),
          durationP95Ms: read(box, "durationP95Ms"),
        }));
        const connections = read(document.querySelector('#pipeline [data-box="database"]'), "databaseConnections");
        return { queues, functions, connections };
      });
    const statusFigures = (now: LocalStatus) => ({
      queues: now.queues.map((queue) => ({
        name: queue.name,
        visible: String(queue.visible),
        inFlight: String(queue.inFlight),
        deadLetterMessages: queue.deadLetterQueue ? String(queue.deadLetterQueue.visible + queue.deadLetterQueue.inFlight) : null,
      })),
      functions: now.functions.map((fn) => ({
        name: fn.name,
        invocations: String(fn.invocations),
        errors: String(fn.errors),
        coldStarts: String(fn.coldStarts),
        durationP95Ms: fn.durationP95Ms === null ? "–" : String(fn.durationP95Ms),
      })),
      connections: now.databaseConnections === undefined || now.databaseConnections === null ? "–" : String(now.databaseConnections),
    });
    // The page is at most a second behind: once nothing moves, both say the same.
    await eventually(
      async () => {
        const [fromPage, fromStatus] = [await pageFigures(), statusFigures(await status())];
        const byName = <T extends { name: string | null }>(items: T[]) => [...new Map(items.map((item) => [item.name, item])).values()].sort((a, b) => String(a.name).localeCompare(String(b.name)));
        return { fromPage: { ...fromPage, queues: byName(fromPage.queues), functions: byName(fromPage.functions) }, fromStatus: { ...fromStatus, queues: byName(fromStatus.queues), functions: byName(fromStatus.functions) } };
      },
      ({ fromPage, fromStatus }) => JSON.stringify(fromPage) === JSON.stringify(fromStatus),
      { what: "the page's figures to match /_local/status", timeoutMs: 10_000, intervalMs: 500 },
    );
    expect(Number(await page.locator('#pipeline [data-box="database"] [data-field="databaseConnections"]').first().textContent())).toBeGreaterThanOrEqual(0);
  });

  it("refuses an action from another origin", async () => {
    const redrive = (headers: Record<string, string>) =>
      fetch(`${suite.stack.apiUrl}/_local/dead-letters/redrive`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ queue: punchesQueue().name }),
      });
    expect((await redrive({ origin: "http://attacker.example" })).status).toBe(403);
    expect((await redrive({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await redrive({ origin: suite.stack.apiUrl })).status).toBe(200);
  });
});
