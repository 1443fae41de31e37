import { randomBytes } from "node:crypto";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { enqueueBodies, queueDepth, startLocalAws, type LocalAws, type LocalAwsOptions, type QueueDepth } from "../../dev/aws/index.ts";
import { type StartedBackend } from "../../dev/aws/backends/index.ts";
import { fidelityServiceDir, writeFidelityService, type FidelitySettings } from "../fixtures/fidelity/fidelityService.ts";
import type { InvocationEnd, InvocationStart } from "../fixtures/fidelity/handlers.ts";

/** One invocation as the fidelity consumer logged it: its start, and its end unless it was killed. */
export type Invocation = InvocationStart & Partial<Omit<InvocationEnd, "invocation">>;

export interface FidelityStack {
  stack: LocalAws;
  /** Every invocation the consumer logged, in the order they started. */
  invocations: Invocation[];
  /** The work queue's URL, for a producer the suite runs itself. */
  workQueueUrl: string;
  /** Sends these orders and returns the time just before the send. */
  send(orders: object[]): Promise<number>;
  depth(queue: "work" | "dlq"): Promise<QueueDepth & { total: number }>;
}

/**
 * Runs a scenario on a stack of the fidelity service, from a serverless.yml written with these
 * settings; the consumer's own start and end logs are collected in `invocations`. The stack is
 * stopped whatever the scenario does.
 */
export async function withFidelityStack(
  { backend, sqs, settings, eventSourceTiming }: { backend: StartedBackend; sqs: SQSClient; settings: FidelitySettings } & Pick<LocalAwsOptions, "eventSourceTiming">,
  scenario: (fidelity: FidelityStack) => Promise<void>,
): Promise<void> {
  const stack = await startFidelityStack({ backend, settings, ...(eventSourceTiming && { eventSourceTiming }) });
  const url = (queue: "work" | "dlq") => stack.stack.queues.find((candidate) => candidate.name.endsWith(queue === "work" ? "-work" : "-work-dlq"))!.url;
  const fidelity: FidelityStack = {
    ...stack,
    workQueueUrl: url("work"),
    async send(orders) {
      const sentAt = Date.now();
      await enqueueBodies(sqs, url("work"), orders.map((order) => JSON.stringify(order)));
      return sentAt;
    },
    async depth(queue) {
      const depth = await queueDepth(sqs, url(queue));
      return { ...depth, total: depth.visible + depth.inFlight };
    },
  };
  try {
    await scenario(fidelity);
  } finally {
    await stack.stack.stop();
  }
}

/** Starts the fidelity service alone, for a scenario about the start itself (one that must fail, say). */
export async function startFidelityStack({
  backend,
  settings,
  eventSourceTiming,
}: { backend: StartedBackend; settings: FidelitySettings } & Pick<LocalAwsOptions, "eventSourceTiming">): Promise<{ stack: LocalAws; invocations: Invocation[] }> {
  const config = await writeFidelityService(settings);
  const invocations: Invocation[] = [];
  const stack = await startLocalAws({
    backend,
    serviceDir: fidelityServiceDir,
    configFile: config.configFile,
    stage: `f${randomBytes(3).toString("hex")}`,
    apiPort: 0,
    ...(eventSourceTiming && { eventSourceTiming }),
    onLog: (_fn, line) => {
      if (!line.startsWith('{"invocation"')) return;
      const logged = JSON.parse(line) as InvocationStart | InvocationEnd;
      if ("started" in logged) invocations.push(logged);
      else Object.assign(invocations.find(({ invocation }) => invocation === logged.invocation)!, logged);
    },
  }).finally(() => config.remove());
  return { stack, invocations };
}

/** `count` orders named `<label>-<n>`, each with these instructions for the consumer. */
export const orders = (label: string, count: number, order: object = {}) =>
  Array.from({ length: count }, (_, index) => ({ key: `${label}-${index}`, ...order }));

export const keysOf = (invocations: Invocation[]) => invocations.flatMap(({ records }) => records.map(({ key }) => key!));

/** How many times each key was handed to the consumer. */
export function deliveriesPerKey(invocations: Invocation[]): Map<string, number> {
  const deliveries = new Map<string, number>();
  for (const key of keysOf(invocations)) deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
  return deliveries;
}

/** The most invocations whose [started, ended) intervals overlap at any one moment; one never ended runs on. */
export function peakOverlap(invocations: Invocation[]): number {
  const edges = invocations.flatMap(({ started, ended }) => [
    { at: started, change: 1 },
    { at: ended ?? Infinity, change: -1 },
  ]);
  // An invocation that ends at the moment another starts does not overlap it.
  edges.sort((left, right) => left.at - right.at || left.change - right.change);
  let running = 0;
  let peak = 0;
  for (const { change } of edges) peak = Math.max(peak, (running += change));
  return peak;
}
