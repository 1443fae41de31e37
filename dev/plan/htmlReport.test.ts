import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arrivalsPerSecond } from "./arrivals.ts";
import type { PriceTable } from "./cost.ts";
import { REPORT_CHARTS, reportHtml } from "./htmlReport.ts";
import { runPlan, type PlanReport } from "./plan.ts";
import { testOptions, testService } from "./testService.ts";

/** Debian's chromium (.ci/run installs it); playwright-core downloads no browser of its own. */
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const prices = JSON.parse(readFileSync(new URL("./prices-2026-12.json", import.meta.url), "utf8")) as PriceTable;
const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve("chart.js")), "chart.umd.min.js"), "utf8");

describe.skipIf(!existsSync(CHROMIUM))("the plan's HTML report, in headless Chromium", () => {
  let browser: Browser;
  let directory: string;
  let report: PlanReport;

  beforeAll(async () => {
    const { planned, template } = testService();
    report = runPlan({
      planned,
      template,
      options: testOptions(),
      load: { arrivalsPerSecond: arrivalsPerSecond(30_000, 20, "peak") },
      whatIfs: ["consume.maximumConcurrency=20"],
      prices,
      shiftChangesPerMonth: 44,
      architectures: {},
    });
    directory = await mkdtemp(join(tmpdir(), "plan-report-"));
    await writeFile(join(directory, "report.html"), reportHtml(report, "30,000 punches over 20 s", chartJs));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("draws every chart over time with each scenario's data, the peaks the run saw included", async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    await page.goto(pathToFileURL(join(directory, "report.html")).href);
    await page.waitForSelector("body[data-charts=drawn]", { timeout: 10_000 });
    for (const chart of REPORT_CHARTS) {
      const drawn = await page.evaluate((id) => {
        const canvas = document.getElementById(`chart-${id}`) as HTMLCanvasElement;
        const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
        let painted = 0;
        for (let index = 3; index < data.length; index += 4) if (data[index]! > 0) painted += 1;
        const instance = (window as unknown as { Chart: { getChart(canvas: HTMLCanvasElement): { data: { datasets: Array<{ label: string; data: Array<{ y: number }> }> } } } }).Chart.getChart(canvas);
        return {
          paintedShare: painted / (data.length / 4),
          datasets: instance.data.datasets.map((dataset) => ({ label: dataset.label, points: dataset.data.length, most: Math.max(...dataset.data.map((point) => point.y)) })),
        };
      }, chart.id);
      expect(drawn.paintedShare, chart.id).toBeGreaterThan(0.01);
      expect(drawn.datasets, chart.id).toHaveLength(report.scenarios.length * chart.series.length);
      for (const dataset of drawn.datasets) expect(dataset.points, dataset.label).toBeGreaterThan(10);
    }
    const concurrency = await page.evaluate(() => {
      const instance = (window as unknown as { Chart: { getChart(canvas: HTMLElement): { data: { datasets: Array<{ label: string; data: Array<{ y: number }> }> } } } }).Chart.getChart(document.getElementById("chart-concurrency")!);
      return instance.data.datasets.filter((dataset) => dataset.label.endsWith(": running")).map((dataset) => Math.max(...dataset.data.map((point) => point.y)));
    });
    expect(concurrency).toEqual([5, 20]);
    await page.close();
  });

  it("shows the figures side by side, the what-if's changes, and the cost with its price table's date", async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(directory, "report.html")).href);
    expect(await page.locator("#figures tr").first().textContent()).toContain("consume.maximumConcurrency=20");
    expect(await page.locator("#what-ifs").textContent()).toContain("consume.maximumConcurrency 5 → 20");
    expect(await page.locator("body").textContent()).toContain("2026-12-02");
    expect(await page.locator("#cost tr").count()).toBeGreaterThan(3);
    await page.close();
  });
});
