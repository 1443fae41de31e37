import { configurationWarnings, pollerLimits, type CloudFormationTemplate } from "../aws/rules.ts";
import { alarmsOf, alarmVerdicts, type AlarmVerdict } from "./alarms.ts";
import { estimateCost, type CostEstimate, type PriceTable } from "./cost.ts";
import { planModelOf, type PlanOptions, type PlannedService } from "./planModel.ts";
import { simulate, type PlanLoad, type PlanRun } from "./simulation.ts";
import { applyWhatIf, type SettingChange } from "./whatIf.ts";

export interface PlanInput {
  planned: PlannedService;
  template: CloudFormationTemplate;
  options: PlanOptions;
  load: PlanLoad;
  /** `--set` texts: each a what-if run beside the file's own settings. */
  whatIfs: string[];
  prices: PriceTable;
  shiftChangesPerMonth: number;
  /** Each function's architecture, by short name. */
  architectures: Record<string, "arm64" | "x86_64">;
  /** Offline clocks' bulk syncs in the load (their claim checks are a stream of the load), for S3's and the API's cost. */
  syncs?: number;
}

export interface PlanScenario {
  name: string;
  changes: SettingChange[];
  /** What AWS advises against in these settings (the stack's own warnings). */
  warnings: string[];
  run: PlanRun;
  cost: CostEstimate;
  alarms: AlarmVerdict[];
  /** Against the file's own settings: the figures that moved, named. */
  differences: string[];
}

export interface PlanReport {
  service: string;
  stage: string;
  expected: number;
  arrivalSeconds: number;
  prices: { date: string; region: string; sources: PriceTable["sources"] };
  scenarios: PlanScenario[];
}

/**
 * The plan: the file's own settings, then each what-if beside it, on the same load and seed.
 *
 * @example
 * const report = runPlan({ planned, template, options, load, whatIfs: ["consumePunches.maximumConcurrency=20"], prices, shiftChangesPerMonth: 44, architectures });
 * report.scenarios[1]!.differences; // ["last row 4m 2s → 1m 31s", …]
 */
export function runPlan(input: PlanInput, onProgress?: (scenario: string, virtualMs: number, stored: number, expected: number) => void): PlanReport {
  const base = scenarioOf(input, input.planned, input.options, "serverless.yml as it is", [], onProgress);
  const whatIfs = input.whatIfs.map((text) => {
    const { planned, options, changes } = applyWhatIf(input.planned, input.options, text);
    const scenario = scenarioOf(input, planned, options, text, changes, onProgress);
    return { ...scenario, differences: differencesBetween(base, scenario) };
  });
  return {
    service: input.planned.service,
    stage: input.planned.stage,
    expected: base.run.expected,
    arrivalSeconds: input.load.arrivalsPerSecond.length,
    prices: { date: input.prices.date, region: input.prices.region, sources: input.prices.sources },
    scenarios: [base, ...whatIfs],
  };
}

function scenarioOf(
  input: PlanInput,
  planned: PlannedService,
  options: PlanOptions,
  name: string,
  changes: SettingChange[],
  onProgress?: (scenario: string, virtualMs: number, stored: number, expected: number) => void,
): PlanScenario {
  const warnings = configurationWarnings(planned.model);
  const model = planModelOf(planned, options, name);
  const run = simulate(model, input.load, (virtualMs, stored, expected) => onProgress?.(name, virtualMs, stored, expected));
  const idlePollers = model.mappings.reduce((sum, mapping) => sum + pollerLimits(mapping.scaling).idleFloor, 0);
  const cost = estimateCost(input.prices, {
    run,
    architectures: input.architectures,
    idlePollers,
    messageBytes: options.messageBytes,
    shiftChangesPerMonth: input.shiftChangesPerMonth,
    syncs: input.syncs ?? 0,
    provisionedMode: model.mappings.some((mapping) => mapping.scaling.provisionedPollers !== undefined),
  });
  const ingress = planned.model.queues.find((queue) => queue.logicalId === planned.ingressQueue);
  const consumers = planned.model.eventSourceMappings.filter((mapping) => mapping.queueLogicalId === planned.ingressQueue).map((mapping) => mapping.functionLogicalId);
  const alarms = alarmVerdicts(
    alarmsOf(input.template),
    { ingressQueue: planned.ingressQueue, ...(ingress?.deadLetterQueueLogicalId && { deadLetterQueue: ingress.deadLetterQueueLogicalId }), consumers },
    run.timeline,
  );
  return { name, changes, warnings, run, cost, alarms, differences: [] };
}

/** The figures a what-if moved, each "name before → after". */
export function differencesBetween(base: PlanScenario, other: PlanScenario): string[] {
  const consumer = ingressConsumer;
  const figures: Array<[string, (scenario: PlanScenario) => string]> = [
    ["last punch stored", (scenario) => clockTime(scenario.run.lastStoredAtMs)],
    ["punch → row p95", (scenario) => (scenario.run.latencyMs ? clockTime(scenario.run.latencyMs.p95) : "-")],
    ["peak queue depth", (scenario) => String(scenario.run.queue.peakVisible)],
    ["oldest message", (scenario) => `${scenario.run.queue.peakOldestAgeSeconds} s`],
    ["peak concurrent batches", (scenario) => String(consumer(scenario)?.peakConcurrency ?? 0)],
    ["peak database connections", (scenario) => String(scenario.run.peakConnections)],
    ["throttled invocations", (scenario) => String(consumer(scenario)?.throttles ?? 0)],
    ["429s", (scenario) => String((scenario.run.edge?.accountThrottled ?? 0) + (scenario.run.edge?.usagePlanThrottled ?? 0) + (scenario.run.edge?.quotaExceeded ?? 0))],
    ["sent to the DLQ", (scenario) => String(scenario.run.queue.deadLettered)],
    ["cost per shift change", (scenario) => dollars(scenario.cost.perShiftChange)],
    ["alarms firing", (scenario) => scenario.alarms.filter((alarm) => alarm.firesAtSeconds !== null).map((alarm) => alarm.alarm).join(", ") || "none"],
  ];
  return figures.flatMap(([name, figure]) => {
    const before = figure(base);
    const after = figure(other);
    return before === after ? [] : [`${name} ${before} → ${after}`];
  });
}

/** The function that drains the punches' queue: the plan's concurrency and throttles are its. */
export function ingressConsumer(scenario: PlanScenario): PlanRun["functions"][number] | undefined {
  return scenario.run.functions.find((fn) => fn.queue === scenario.run.ingressQueue);
}

/** "4m 02s", "12.3 s", "840 ms"; "never" for null. */
export function clockTime(ms: number | null): string {
  if (ms === null) return "never";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, "0");
  return hours > 0 ? `${hours}h ${String(minutes).padStart(2, "0")}m ${rest}s` : `${minutes}m ${rest}s`;
}

export function dollars(amount: number): string {
  return amount >= 1 ? `$${amount.toFixed(2)}` : `$${amount.toFixed(4)}`;
}
