import type { PlanRun } from "./simulation.ts";

/** The dated price table (prices-2026-12.json): one place for every figure the cost uses. */
export interface PriceTable {
  date: string;
  region: string;
  currency: string;
  sources: Array<{ name: string; url: string }>;
  notes: string[];
  apiGateway: { restRequestsPerMillion: number };
  sqs: { standardRequestsPerMillion: number; chunkBytes: number };
  lambda: { requestsPerMillion: number; gbSecond: { arm64: number; x86_64: number } };
  s3: { putPerThousand: number; getPerThousand: number };
}

export interface CostLine {
  service: "API Gateway" | "SQS" | "Lambda" | "S3";
  what: string;
  quantity: number;
  unit: string;
  unitPrice: number;
  cost: number;
}

export interface CostEstimate {
  lines: CostLine[];
  perShiftChange: number;
  /** Long polls of the idle queues between shift changes, a month (the mappings' idle floors, 20 s each). */
  idlePollingPerMonth: number;
  perMonth: number;
  shiftChangesPerMonth: number;
  /** What the estimate leaves out, said beside it. */
  leftOut: string[];
}

export interface CostInputs {
  run: PlanRun;
  /** Each function's architecture, by short name (arm64 unless the template says x86_64). */
  architectures: Record<string, "arm64" | "x86_64">;
  /** Concurrent batches each mapping keeps polling while idle (its idle floor). */
  idlePollers: number;
  messageBytes: number;
  shiftChangesPerMonth: number;
  /** Offline clocks' bulk syncs: each a POST and a status GET at the API, its backlog and outcome put to S3 and read back. */
  syncs?: number;
  provisionedMode: boolean;
}

const SECONDS_A_MONTH = 30 * 86_400;
const LONG_POLL_SECONDS = 20;

/**
 * What a shift change costs, line by line from the price table, and a month of them with the
 * idle polling between: API Gateway's REST requests (429s too: API Gateway received them), SQS's
 * sends, receives (empty ones too) and deletes, each counted per 64 KB chunk, Lambda's requests
 * and GB-seconds by architecture.
 *
 * @example
 * const cost = estimateCost(prices, { run, architectures: { consumePunches: "arm64" }, idlePollers: 5, messageBytes: 300, shiftChangesPerMonth: 44, provisionedMode: false });
 * cost.perShiftChange; // dollars
 */
export function estimateCost(prices: PriceTable, inputs: CostInputs): CostEstimate {
  const { run } = inputs;
  const chunks = Math.max(1, Math.ceil(inputs.messageBytes / prices.sqs.chunkBytes));
  const perMillion = (quantity: number, price: number) => (quantity / 1e6) * price;
  const lines: CostLine[] = [];
  const line = (service: CostLine["service"], what: string, quantity: number, unit: string, unitPrice: number, cost: number) =>
    lines.push({ service, what, quantity, unit, unitPrice, cost });
  const syncs = inputs.syncs ?? 0;
  const requests = (run.edge?.requests ?? run.expected) + 2 * syncs;
  line("API Gateway", `REST requests (429s included${syncs ? `; 2 a sync` : ""})`, requests, "per million", prices.apiGateway.restRequestsPerMillion, perMillion(requests, prices.apiGateway.restRequestsPerMillion));
  const sqs = run.sqsRequests;
  const sqsRequests = (sqs.send + sqs.receive + sqs.emptyReceive + sqs.delete) * chunks;
  line("SQS", `requests: ${counted(sqs.send)} sends, ${counted(sqs.receive)} receives, ${counted(sqs.emptyReceive)} empty, ${counted(sqs.delete)} deletes`, sqsRequests, "per million", prices.sqs.standardRequestsPerMillion, perMillion(sqsRequests, prices.sqs.standardRequestsPerMillion));
  for (const fn of run.functions) {
    if (fn.invocations === 0) continue;
    const architecture = inputs.architectures[fn.name] ?? "arm64";
    line("Lambda", `${fn.name} requests`, fn.invocations, "per million", prices.lambda.requestsPerMillion, perMillion(fn.invocations, prices.lambda.requestsPerMillion));
    const gbSeconds = (fn.billedMs / 1000) * (fn.memoryMegabytes / 1024);
    line("Lambda", `${fn.name} duration (${fn.memoryMegabytes} MB, ${architecture})`, gbSeconds, "per GB-second", prices.lambda.gbSecond[architecture], gbSeconds * prices.lambda.gbSecond[architecture]);
  }
  if (syncs > 0) {
    line("S3", "PUT: each sync's backlog and its outcome", 2 * syncs, "per thousand", prices.s3.putPerThousand, ((2 * syncs) / 1_000) * prices.s3.putPerThousand);
    line("S3", "GET: each backlog by its consumer, each outcome by its clock", 2 * syncs, "per thousand", prices.s3.getPerThousand, ((2 * syncs) / 1_000) * prices.s3.getPerThousand);
  }
  const perShiftChange = lines.reduce((sum, entry) => sum + entry.cost, 0);
  const idleReceives = inputs.idlePollers * (SECONDS_A_MONTH / LONG_POLL_SECONDS);
  const idlePollingPerMonth = perMillion(idleReceives, prices.sqs.standardRequestsPerMillion);
  const leftOut = [
    "free tiers",
    syncs > 0 ? "the Lambda invocations that take a sync and answer its status (two per sync), S3 storage" : "S3: this plan sends no offline syncs",
    "CloudWatch logs and metrics, data transfer, the database",
    ...(inputs.provisionedMode ? ["provisioned mode's event poller units (no rate in the price table)"] : []),
  ];
  return {
    lines,
    perShiftChange,
    idlePollingPerMonth,
    perMonth: perShiftChange * inputs.shiftChangesPerMonth + idlePollingPerMonth,
    shiftChangesPerMonth: inputs.shiftChangesPerMonth,
    leftOut,
  };
}

function counted(value: number): string {
  return value.toLocaleString("en");
}
