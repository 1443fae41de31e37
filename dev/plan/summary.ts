import { clockTime, dollars, ingressConsumer, type PlanReport, type PlanScenario } from "./plan.ts";

/** How the load was made, for the summary's first line. */
export interface LoadDescription {
  text: string;
}

/**
 * The plan as a terminal reads it: the figures of each scenario side by side, what each what-if
 * changed and moved, the warnings, and the first scenario's cost line by line.
 */
export function summaryText(report: PlanReport, load: LoadDescription): string {
  const { scenarios } = report;
  const rows = figureRows(scenarios);
  const widths = [Math.max(...rows.map((row) => row[0]!.length)), ...scenarios.map((_, index) => Math.max(...rows.map((row) => row[index + 1]!.length)))];
  const table = rows.map((row) => row.map((cell, index) => cell.padEnd(widths[index]!)).join("   ").trimEnd());
  const base = scenarios[0]!;
  const lines = [
    `${report.service} (stage ${report.stage}): ${load.text}`,
    "",
    ...table,
    ...scenarios.slice(1).flatMap((scenario, index) => [
      "",
      `what-if ${index + 1}: ${scenario.name}`,
      `  changed  ${scenario.changes.map((change) => `${change.setting} ${change.from} → ${change.to}`).join("; ")}`,
      `  moved    ${scenario.differences.join("; ") || "nothing"}`,
    ]),
    ...(base.alarms.some((alarm) => alarm.metric === "ApproximateAgeOfOldestMessage")
      ? []
      : ["", `no alarm of the template watches ApproximateAgeOfOldestMessage on ${base.run.ingressQueue}: its oldest message reached ${Math.max(...scenarios.map((scenario) => scenario.run.queue.peakOldestAgeSeconds))} s in these plans`]),
    ...scenarios.flatMap((scenario) => scenario.warnings.map((warning) => `warning (${scenario.name}): ${warning}`)).map((line, index) => (index === 0 ? `\n${line}` : line)),
    "",
    `cost of ${base.name}, at the prices of ${report.prices.date} (${report.prices.region}, prices-2026-12.json):`,
    ...base.cost.lines.map((line) => `  ${line.service.padEnd(12)} ${line.what.padEnd(62)} ${number(line.quantity).padStart(12)} × ${line.unitPrice} ${line.unit.padEnd(14)} ${dollars(line.cost).padStart(9)}`),
    `  per shift change ${dollars(base.cost.perShiftChange)}; a month of ${base.cost.shiftChangesPerMonth} with the idle polling between (${dollars(base.cost.idlePollingPerMonth)}): ${dollars(base.cost.perMonth)}`,
    `  left out: ${base.cost.leftOut.join("; ")}`,
  ];
  return lines.join("\n");
}

/** The rows of the side-by-side table: a label, then one cell per scenario. */
export function figureRows(scenarios: readonly PlanScenario[]): string[][] {
  const row = (label: string, cell: (scenario: PlanScenario) => string) => [label, ...scenarios.map(cell)];
  const consumer = ingressConsumer;
  const others = (scenario: PlanScenario) => scenario.run.functions.filter((fn) => fn.queue !== scenario.run.ingressQueue && fn.handled > 0);
  return [
    row("", (scenario) => scenario.name),
    row("last punch stored", (scenario) => clockTime(scenario.run.lastStoredAtMs)),
    row("… after the last arrival", (scenario) => (scenario.run.lastStoredAtMs === null ? "-" : clockTime(Math.max(0, scenario.run.lastStoredAtMs - scenario.run.lastArrivalAtMs)))),
    row("punch → row p50 / p95 / max", (scenario) => {
      const latency = scenario.run.latencyMs;
      return latency ? `${clockTime(latency.p50)} / ${clockTime(latency.p95)} / ${clockTime(latency.max)}` : "-";
    }),
    row("peak queue depth", (scenario) => number(scenario.run.queue.peakVisible)),
    row("oldest message, peak", (scenario) => `${number(scenario.run.queue.peakOldestAgeSeconds)} s`),
    row("peak concurrent batches", (scenario) => `${consumer(scenario)?.peakConcurrency ?? 0} (pollers ${consumer(scenario)?.peakPollers ?? 0})`),
    row("peak database connections", (scenario) => `${scenario.run.peakConnections}${scenario.run.refusedConnections ? ` (${number(scenario.run.refusedConnections)} refused)` : ""}`),
    row("throttled invocations", (scenario) => number(consumer(scenario)?.throttles ?? 0)),
    row("429s: account / usage plan / quota", (scenario) => {
      const edge = scenario.run.edge;
      return edge ? `${number(edge.accountThrottled)} / ${number(edge.usagePlanThrottled)} / ${number(edge.quotaExceeded)}` : "-";
    }),
    row("sent to the DLQ", (scenario) => {
      const { deadLettered, deadLetterReasons } = scenario.run.queue;
      const reasons = Object.entries(deadLetterReasons).map(([reason, count]) => `${number(count)} ${reason}`).join(", ");
      return deadLettered === 0 ? "0" : `${number(deadLettered)} (${reasons})`;
    }),
    row("alarms firing", (scenario) => scenario.alarms.filter((alarm) => alarm.firesAtSeconds !== null).map((alarm) => `${alarm.alarm} at ${clockTime(alarm.firesAtSeconds! * 1000)}`).join(", ") || "none"),
    ...(scenarios.some((scenario) => others(scenario).length > 0)
      ? [row("other consumers: handled, last, peak", (scenario) => others(scenario).map((fn) => `${fn.name} ${number(fn.handled)}, ${clockTime(fn.lastHandledAtMs)}, ${fn.peakConcurrency}`).join("; ") || "-")]
      : []),
    row("cost per shift change", (scenario) => dollars(scenario.cost.perShiftChange)),
    row("cost per month", (scenario) => dollars(scenario.cost.perMonth)),
  ];
}

function number(value: number): string {
  return Math.round(value).toLocaleString("en");
}
