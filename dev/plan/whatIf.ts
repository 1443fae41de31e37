import type { PlanOptions, PlannedService } from "./planModel.ts";
import { shortFunctionName } from "./planModel.ts";

/** One setting a what-if changed, as the report names it. */
export interface SettingChange {
  setting: string;
  from: string;
  to: string;
}

export interface WhatIf {
  planned: PlannedService;
  options: PlanOptions;
  changes: SettingChange[];
}

/** What `--set` may change, for the error that lists them. */
export const WHAT_IF_KEYS = [
  "<function>.batchSize", "<function>.maximumBatchingWindow", "<function>.maximumConcurrency (or none)",
  "<function>.provisionedPollers=min,max (or none)", "<function>.reservedConcurrency (or none)", "<function>.memorySize",
  "<function>.timeout", "<function>.consumerMs=p50,p95", "<Queue logical id>.visibilityTimeout", "<Queue logical id>.maxReceiveCount",
  "database.maxConnections", "lambda.accountConcurrency", "api.rateLimit", "api.burstLimit",
  "usagePlan.rateLimit", "usagePlan.burstLimit", "usagePlan.quotaPerDay", "clocks",
];

/**
 * Applies a what-if such as `consumePunches.maximumConcurrency=20 PunchesQueue.maxReceiveCount=10`
 * to a copy of the service and the options, as a user would edit serverless.yml, and names each
 * change. Provisioned pollers drop maximumConcurrency, since AWS refuses both on one mapping.
 *
 * @example
 * applyWhatIf(base, options, "consumePunches.maximumConcurrency=20").changes;
 * // [{ setting: "consumePunches.maximumConcurrency", from: "5", to: "20" }]
 */
export function applyWhatIf(base: PlannedService, baseOptions: PlanOptions, text: string): WhatIf {
  const planned: PlannedService = structuredClone(base);
  const options: PlanOptions = structuredClone(baseOptions);
  const changes: SettingChange[] = [];
  const assignments = text.split(/\s+/).filter(Boolean);
  if (assignments.length === 0) throw new Error("--set needs setting=value, e.g. --set consumePunches.maximumConcurrency=20");
  for (const assignment of assignments) {
    const match = /^([A-Za-z0-9_-]+)\.([A-Za-z]+)=(.+)$/.exec(assignment);
    if (!match) throw new Error(`--set "${assignment}" is not owner.setting=value; settings: ${WHAT_IF_KEYS.join(", ")}`);
    const [, owner, setting, value] = match as unknown as [string, string, string, string];
    const change: Change = (from, to, named = `${owner}.${setting}`) => changes.push({ setting: named, from: shown(from), to: shown(to) });
    if (applyGlobal(options, owner, setting, value, change)) continue;
    if (applyQueue(planned, owner, setting, value, change)) continue;
    applyFunction(planned, options, owner, setting, value, change);
  }
  return { planned, options, changes };
}

type Change = (from: unknown, to: unknown, setting?: string) => void;

function applyGlobal(options: PlanOptions, owner: string, setting: string, value: string, change: Change): boolean {
  const set = <T extends object>(target: T, key: keyof T) => {
    change(target[key], Number(value));
    (target as Record<keyof T, unknown>)[key] = whole(value, `${owner}.${setting}`, 0);
  };
  if (owner === "database" && setting === "maxConnections") set(options, "databaseMaxConnections");
  else if (owner === "lambda" && setting === "accountConcurrency") set(options, "accountConcurrency");
  else if (owner === "api" && (setting === "rateLimit" || setting === "burstLimit")) set(options.accountThrottle, setting);
  else if (owner === "usagePlan" && ["rateLimit", "burstLimit", "quotaPerDay"].includes(setting)) {
    if (!options.usagePlan) throw new Error(`--set ${owner}.${setting}: the API's method takes no API key, so no usage plan holds the clocks`);
    set(options.usagePlan, setting as "rateLimit");
  } else if (owner === "clocks") set(options, "clocks");
  else return false;
  return true;
}

function applyQueue(planned: PlannedService, owner: string, setting: string, value: string, change: Change): boolean {
  const queue = planned.model.queues.find((candidate) => candidate.logicalId === owner);
  if (!queue) return false;
  if (setting === "visibilityTimeout") {
    change(queue.properties.VisibilityTimeout ?? 30, value);
    queue.properties.VisibilityTimeout = whole(value, `${owner}.visibilityTimeout`, 0);
  } else if (setting === "maxReceiveCount") {
    if (queue.deadLetterQueueLogicalId === undefined) throw new Error(`--set ${owner}.maxReceiveCount: the queue has no RedrivePolicy`);
    change(queue.maxReceiveCount, value);
    queue.maxReceiveCount = whole(value, `${owner}.maxReceiveCount`, 1);
  } else throw new Error(`--set ${owner}.${setting}: a queue takes visibilityTimeout or maxReceiveCount`);
  return true;
}

function applyFunction(planned: PlannedService, options: PlanOptions, owner: string, setting: string, value: string, change: Change): void {
  const { model, service, stage } = planned;
  const fn = model.functions.find((candidate) => shortFunctionName(candidate.name, service, stage) === owner);
  if (!fn) {
    const names = [...model.functions.map((candidate) => shortFunctionName(candidate.name, service, stage)), ...model.queues.map((queue) => queue.logicalId)];
    throw new Error(`--set ${owner}.${setting}: no function or queue ${owner}; the service has ${names.join(", ")}`);
  }
  const mappings = model.eventSourceMappings.filter((mapping) => mapping.functionLogicalId === fn.logicalId);
  const where = `${owner}.${setting}`;
  const none = value === "none";
  switch (setting) {
    case "batchSize":
    case "maximumBatchingWindow":
    case "maximumConcurrency":
    case "provisionedPollers":
      if (mappings.length === 0) throw new Error(`--set ${where}: ${owner} has no SQS event source`);
      for (const mapping of mappings) {
        if (setting === "batchSize") (change(mapping.batchSize, value), (mapping.batchSize = whole(value, where, 1)));
        if (setting === "maximumBatchingWindow") (change(mapping.maximumBatchingWindowSeconds, value), (mapping.maximumBatchingWindowSeconds = whole(value, where, 0)));
        if (setting === "maximumConcurrency") {
          change(mapping.maximumConcurrency, value);
          if (none) delete mapping.maximumConcurrency;
          else mapping.maximumConcurrency = whole(value, where, 2);
        }
        if (setting === "provisionedPollers") {
          change(mapping.provisionedPollers && `${mapping.provisionedPollers.minimum},${mapping.provisionedPollers.maximum}`, value);
          if (none) delete mapping.provisionedPollers;
          else {
            const [minimum, maximum] = pair(value, where);
            mapping.provisionedPollers = { minimum, maximum };
            if (mapping.maximumConcurrency !== undefined) {
              change(mapping.maximumConcurrency, "none (AWS refuses it beside provisionedPollers)", `${owner}.maximumConcurrency`);
              delete mapping.maximumConcurrency;
            }
          }
        }
      }
      return;
    case "reservedConcurrency":
      change(fn.reservedConcurrency, value);
      if (none) delete fn.reservedConcurrency;
      else fn.reservedConcurrency = whole(value, where, 0);
      return;
    case "memorySize":
      change(fn.memoryMegabytes, value);
      fn.memoryMegabytes = whole(value, where, 128);
      return;
    case "timeout":
      change(fn.timeoutSeconds, value);
      fn.timeoutSeconds = whole(value, where, 1);
      return;
    case "consumerMs": {
      const [p50, p95] = pair(value, where);
      change(`${(options.consumerMs[owner] ?? options.consumerMs["*"])!.p50},${(options.consumerMs[owner] ?? options.consumerMs["*"])!.p95}`, value);
      options.consumerMs = { ...options.consumerMs, [owner]: { p50, p95 } };
      return;
    }
    default:
      throw new Error(`--set ${where}: unknown setting; settings: ${WHAT_IF_KEYS.join(", ")}`);
  }
}

function whole(value: string, where: string, minimum: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < minimum) throw new Error(`--set ${where}=${value}: a whole number of at least ${minimum} is needed`);
  return parsed;
}

function pair(value: string, where: string): [number, number] {
  const parts = value.split(",").map((part) => Number(part.trim()));
  if (parts.length !== 2 || parts.some((part) => !Number.isFinite(part) || part <= 0) || parts[1]! < parts[0]!) {
    throw new Error(`--set ${where}=${value}: two numbers, low,high, are needed (e.g. 40,120)`);
  }
  return [parts[0]!, parts[1]!];
}

function shown(value: unknown): string {
  return value === undefined || value === null ? "none" : String(value);
}
