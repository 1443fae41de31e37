import { readFile, mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { ShiftChangeReport } from "./shiftChangeRun.ts";

const require = createRequire(import.meta.url);

/** Writes report.json and report.html (Chart.js inlined: the page works offline) and returns their paths. */
export async function writeReportFiles(report: ShiftChangeReport, directory: string): Promise<{ json: string; html: string }> {
  await mkdir(directory, { recursive: true });
  const json = join(directory, "report.json");
  const html = join(directory, "report.html");
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  const chartJs = await readFile(join(dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8");
  await writeFile(html, reportHtml(report, chartJs));
  return { json, html };
}

/**
 * The consumer's event source in one line: "provisioned: 2-3 event pollers (20-30 batches), peak 3"
 * or "standard: 2-5 batches, peak 5".
 */
export function eventSourceLine({ mode, pollerLimits, peakPollers, eventPollers }: NonNullable<ShiftChangeReport["drain"]["eventSource"]>): string {
  const batches = `${pollerLimits.minimum}-${pollerLimits.maximum} batches`;
  return eventPollers
    ? `${mode}: ${eventPollers.minimum}-${eventPollers.maximum} event pollers (${batches}), peak ${eventPollers.peak} pollers, ${peakPollers} batches`
    : `${mode}: ${batches}, peak ${peakPollers}`;
}

function reportHtml(report: ShiftChangeReport, chartJs: string): string {
  const { ingest, drain, correctness, syncs, resources, settings } = report;
  const seconds = (ms: number | null) => (ms === null ? "never" : `${(ms / 1000).toFixed(1)} s`);
  const rows = (entries: Array<[string, string | number]>) =>
    entries.map(([name, value]) => `<tr><th>${name}</th><td>${value}</td></tr>`).join("");
  const ok = correctness.lost === 0 && correctness.rowsKeepingOwnRequest === correctness.resentPunchesStored;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ponto shift change: ${settings.punches} punches</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #1d2330; }
  h1 { font-size: 1.5rem; } .verdict { font-weight: 600; color: ${ok ? "#17803d" : "#b42318"}; }
  .tables { display: grid; grid-template-columns: repeat(4, 1fr); gap: 1rem; }
  table { border-collapse: collapse; width: 100%; } th { text-align: left; font-weight: 500; color: #5b6475; }
  th, td { padding: .2rem .4rem; border-bottom: 1px solid #e4e7ec; } caption { text-align: left; font-weight: 600; }
  #chart-box { height: 420px; margin-top: 1.5rem; }
</style>
</head>
<body>
<h1>Shift change: ${settings.punches.toLocaleString("en")} punches from ${settings.clocks} clocks${
    syncs ? `, ${syncs.clocks} offline clocks syncing ${(settings.backlogPunches ?? 0).toLocaleString("en")} punches each` : ""
  }</h1>
<p class="verdict">${ok ? "Every accepted punch stored" : "Punches were lost"}: lost ${correctness.lost}; ${correctness.duplicatesResent} resent punches and ${correctness.redeliveriesAbsorbed} redeliveries absorbed, each into the punch's one row (punch_id is the primary key, so a second row cannot exist); of ${correctness.resentPunchesStored} punches accepted more than once, ${correctness.rowsKeepingOwnRequest} rows keep one of their own requests and ${correctness.rowsKeepingFirstRequest} the first one sent.</p>
<div class="tables">
<table><caption>Ingest (HTTP → SQS)</caption>${rows([
    ["requests/s", ingest.requestsPerSecond],
    ["p50 / p95 / p99", `${ingest.latencyMs.p50} / ${ingest.latencyMs.p95} / ${ingest.latencyMs.p99} ms`],
    ["duration", seconds(ingest.durationMs)],
    ["status codes", Object.entries(ingest.statusCodes).map(([code, count]) => `${code}: ${count}`).join(", ")],
  ])}</table>
<table><caption>Drain (SQS → Postgres)</caption>${rows([
    ["all stored after", seconds(drain.durationMs)],
    ["rows/s", drain.rowsPerSecond ?? "-"],
    ["peak consumer concurrency", drain.peakConsumerConcurrency],
    ["peak Postgres connections", drain.peakDatabaseConnections],
    ["event source", drain.eventSource ? eventSourceLine(drain.eventSource) : "-"],
  ])}</table>
<table><caption>Correctness</caption>${rows([
    ["sent", correctness.sent],
    ["accepted (202)", correctness.accepted],
    ["rejected at the edge", correctness.rejectedAtEdge],
    ["expected rows", correctness.expectedRows],
    ["persisted", correctness.persisted],
    ["in DLQ", correctness.inDeadLetterQueue],
  ])}</table>
${
    syncs
      ? `<table><caption>Bulk syncs (offline clocks)</caption>${rows([
          ["clocks / done / failed", `${syncs.clocks} / ${syncs.done} / ${syncs.failed}`],
          ["done in (p50 / max)", syncs.timeToDoneMs ? `${seconds(syncs.timeToDoneMs.p50)} / ${seconds(syncs.timeToDoneMs.max)}` : "never"],
          ["punches", syncs.punches],
          ["stored / already stored / rejected", `${syncs.persisted} / ${syncs.duplicate} / ${syncs.rejected}`],
          ["sent invalid", syncs.expectedRejected],
        ])}</table>`
      : ""
  }
<table><caption>Resources</caption>${rows([["peak stack memory", `${Math.round(resources.peakStackMemoryBytes / 1048576)} MiB`]])}</table>
</div>
<div id="chart-box"><canvas id="chart" role="img" aria-label="accepted, persisted, queue depth and consumer concurrency over time"></canvas></div>
<script>${chartJs}</script>
<script>
const report = ${JSON.stringify({ timeline: report.timeline })};
const points = (key) => report.timeline.map((point) => ({ x: point.t / 1000, y: point[key] }));
new Chart(document.getElementById("chart"), {
  type: "line",
  data: { datasets: [
    { label: "accepted", data: points("accepted"), borderColor: "#2563eb", pointRadius: 0 },
    { label: "persisted", data: points("persisted"), borderColor: "#17803d", pointRadius: 0 },
    { label: "queue depth", data: points("queueDepth"), borderColor: "#d97706", pointRadius: 0 },
    { label: "consumer concurrency", data: points("consumerConcurrency"), borderColor: "#7c3aed", pointRadius: 0, yAxisID: "concurrency", stepped: true },
  ] },
  options: {
    animation: false, maintainAspectRatio: false, parsing: false,
    scales: {
      x: { type: "linear", title: { display: true, text: "seconds since the first request" } },
      y: { title: { display: true, text: "punches" } },
      concurrency: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "concurrent batches" } },
    },
  },
});
document.body.dataset.chart = "drawn";
</script>
</body>
</html>
`;
}
