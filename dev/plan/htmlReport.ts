import { clockTime, dollars, type PlanReport } from "./plan.ts";
import { figureRows } from "./summary.ts";
import type { TimelinePoint } from "./simulation.ts";

/** The charts over time, each a series of the timeline, every scenario a line. */
export const REPORT_CHARTS: Array<{ id: string; title: string; unit: string; series: Array<{ key: keyof TimelinePoint; label: string }> }> = [
  { id: "arrivals", title: "Arrivals at the API, a second", unit: "requests/s", series: [{ key: "arrivals", label: "arrived" }, { key: "refused", label: "429" }] },
  { id: "queue", title: "Queue depth", unit: "messages", series: [{ key: "queueVisible", label: "visible" }, { key: "queueInFlight", label: "in flight" }] },
  { id: "concurrency", title: "Consumer concurrency", unit: "batches", series: [{ key: "concurrency", label: "running" }, { key: "pollers", label: "pollers" }] },
  { id: "connections", title: "Database connections", unit: "connections", series: [{ key: "connections", label: "open" }] },
  { id: "dlq", title: "Sent to the DLQ, so far", unit: "messages", series: [{ key: "deadLettered", label: "in the DLQ" }] },
];

const COLOURS = ["#2563eb", "#d97706", "#17803d", "#7c3aed", "#b42318", "#0891b2"];
/** Enough points for a chart to read; a longer run is thinned to this many per series. */
const MAX_POINTS = 1_500;

/**
 * The plan as one HTML page that works offline (Chart.js inlined, as the demo's report): the
 * side-by-side figures, what each what-if changed and moved, and a chart per series over time.
 * Each chart marks its canvas `data-points` once drawn, which the headless check reads.
 */
export function reportHtml(report: PlanReport, loadText: string, chartJs: string): string {
  const rows = figureRows(report.scenarios);
  const table = rows
    .map((row, index) => `<tr>${row.map((cell) => (index === 0 ? `<th>${escape(cell)}</th>` : `<td>${escape(cell)}</td>`)).join("")}</tr>`)
    .join("\n");
  const whatIfs = report.scenarios
    .slice(1)
    .map((scenario) => `<li><b>${escape(scenario.name)}</b>: changed ${escape(scenario.changes.map((change) => `${change.setting} ${change.from} → ${change.to}`).join("; "))}; moved ${escape(scenario.differences.join("; ") || "nothing")}</li>`)
    .join("\n");
  const base = report.scenarios[0]!;
  const costRows = base.cost.lines
    .map((line) => `<tr><td>${line.service}</td><td>${escape(line.what)}</td><td>${Math.round(line.quantity).toLocaleString("en")}</td><td>${line.unitPrice} ${line.unit}</td><td>${dollars(line.cost)}</td></tr>`)
    .join("\n");
  const data = {
    charts: REPORT_CHARTS,
    scenarios: report.scenarios.map((scenario) => ({ name: scenario.name, timeline: thinned(scenario.run.timeline) })),
    colours: COLOURS,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(report.service)}: shift change plan</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #1d2330; }
  h1 { font-size: 1.5rem; } table { border-collapse: collapse; margin: 1rem 0; }
  th, td { padding: .25rem .6rem; border-bottom: 1px solid #e4e7ec; text-align: left; } th { color: #5b6475; font-weight: 500; }
  .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; } .chart { height: 300px; }
</style>
</head>
<body>
<h1>${escape(report.service)} (stage ${escape(report.stage)}): ${escape(loadText)}</h1>
<table id="figures">${table}</table>
${whatIfs ? `<ul id="what-ifs">${whatIfs}</ul>` : ""}
<div class="charts">
${REPORT_CHARTS.map((chart) => `<div><h2>${chart.title}</h2><div class="chart"><canvas id="chart-${chart.id}" role="img" aria-label="${chart.title} over time"></canvas></div></div>`).join("\n")}
</div>
<h2>Cost of ${escape(base.name)}</h2>
<p>At the prices of ${report.prices.date} (${report.prices.region}): ${report.prices.sources.map((source) => `<a href="${source.url}">${escape(source.name)}</a>`).join(", ")}.
Per shift change ${dollars(base.cost.perShiftChange)}; a month of ${base.cost.shiftChangesPerMonth} with the idle polling between: ${dollars(base.cost.perMonth)}. Left out: ${escape(base.cost.leftOut.join("; "))}.</p>
<table id="cost"><tr><th>service</th><th>what</th><th>quantity</th><th>unit price</th><th>cost</th></tr>${costRows}</table>
<p>Virtual time simulated: ${clockTime(base.run.virtualSeconds * 1000)}.</p>
<script>${chartJs}</script>
<script>
const plan = ${JSON.stringify(data)};
for (const chart of plan.charts) {
  const datasets = plan.scenarios.flatMap((scenario, index) => chart.series.map((series, seriesIndex) => ({
    label: plan.scenarios.length > 1 ? scenario.name + ": " + series.label : series.label,
    data: scenario.timeline.map((point) => ({ x: point.t, y: point[series.key] })),
    borderColor: plan.colours[index % plan.colours.length],
    borderDash: seriesIndex > 0 ? [6, 3] : [],
    pointRadius: 0, borderWidth: 1.5, stepped: true,
  })));
  const canvas = document.getElementById("chart-" + chart.id);
  new Chart(canvas, {
    type: "line",
    data: { datasets },
    options: {
      animation: false, maintainAspectRatio: false, parsing: false,
      scales: { x: { type: "linear", title: { display: true, text: "seconds since the first punch" } }, y: { beginAtZero: true, title: { display: true, text: chart.unit } } },
    },
  });
  canvas.dataset.points = String(datasets.reduce((sum, dataset) => sum + dataset.data.length, 0));
}
document.body.dataset.charts = "drawn";
</script>
</body>
</html>
`;
}

/** A long run thinned to MAX_POINTS, each point the most of its stretch, so no peak is lost. */
function thinned(timeline: readonly TimelinePoint[]): TimelinePoint[] {
  if (timeline.length <= MAX_POINTS) return [...timeline];
  const every = Math.ceil(timeline.length / MAX_POINTS);
  const points: TimelinePoint[] = [];
  for (let start = 0; start < timeline.length; start += every) {
    const stretch = timeline.slice(start, start + every);
    const most = { ...stretch[0]! };
    for (const point of stretch) {
      for (const key of Object.keys(most) as Array<keyof TimelinePoint>) if (key !== "t") most[key] = Math.max(most[key], point[key]);
    }
    points.push(most);
  }
  return points;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
