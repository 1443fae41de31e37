import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface ServiceVariant {
  /** The punches queue's VisibilityTimeout, in seconds. */
  visibilityTimeout?: number;
  /** The punches queue's maxReceiveCount. */
  maxReceiveCount?: number;
  /** The consumer's maximumConcurrency: the database throttle. */
  maximumConcurrency?: number;
  /** The syncs queue's VisibilityTimeout, in seconds. */
  syncVisibilityTimeout?: number;
  /**
   * Runs the consumer's event source in provisioned mode, between these numbers of event pollers,
   * in place of maximumConcurrency (AWS refuses both together). osls's sqs event has no key for
   * it, so it goes on the compiled mapping through `resources.extensions`, as a user would write it.
   */
  provisionedPollers?: { minimum: number; maximum: number };
  /**
   * Holds each batch of the punches consumer to at least this long (heldConsumePunches.ts), so a
   * drain is bound by the cap and the handler's time, not by this machine's CPU.
   */
  consumerBatchMs?: number;
  /** What one clock's API key may send (custom.clocks: the usage plan's throttle and daily quota). */
  clockLimits?: { rateLimit?: number; burstLimit?: number; quotaPerDay?: number };
}

/** The mapping osls compiles for consumePunches' sqs event on PunchesQueue. */
const CONSUMER_MAPPING = "ConsumePunchesEventSourceMappingSQSPunchesQueue";

const serviceDir = fileURLToPath(new URL("../..", import.meta.url));

/**
 * A copy of serverless.yml beside it with some numbers changed, as a user would edit them, for a
 * suite that cannot wait a minute for a visibility timeout or a demo that tries another cap.
 * Fails loudly if serverless.yml no longer has the setting it edits. Returns the file's name
 * (for --config) and a function that removes it.
 */
export async function writeServiceVariant(variant: ServiceVariant): Promise<{ configFile: string; remove(): Promise<void> }> {
  let yaml = await readFile(join(serviceDir, "serverless.yml"), "utf8");
  const edit = (pattern: RegExp, value: number | undefined) => {
    if (value === undefined) return;
    if (!pattern.test(yaml)) throw new Error(`serverless.yml no longer matches ${pattern}`);
    yaml = yaml.replace(pattern, (_match, prefix: string) => `${prefix}${value}`);
  };
  edit(/(PunchesQueue:[\s\S]*?VisibilityTimeout: )\d+/, variant.visibilityTimeout);
  // AWS refuses a mapping whose function may run longer than its queue's visibility timeout, so a
  // shorter one shortens the consumer's timeout with it, as a user would have to.
  edit(/(\n {2}consumePunches:[\s\S]*?\n {4}timeout: )\d+/, shorterTimeout(yaml, "consumePunches", variant.visibilityTimeout));
  edit(/(PunchesQueue:[\s\S]*?maxReceiveCount: )\d+/, variant.maxReceiveCount);
  edit(/(consumePunches:[\s\S]*?maximumConcurrency: )\d+/, variant.maximumConcurrency);
  edit(/(SyncsQueue:[\s\S]*?VisibilityTimeout: )\d+/, variant.syncVisibilityTimeout);
  edit(/(\n {2}consumeSyncs:[\s\S]*?\n {4}timeout: )\d+/, shorterTimeout(yaml, "consumeSyncs", variant.syncVisibilityTimeout));
  edit(/(\n {2}clocks:[\s\S]*?rateLimit: )\d+/, variant.clockLimits?.rateLimit);
  edit(/(\n {2}clocks:[\s\S]*?burstLimit: )\d+/, variant.clockLimits?.burstLimit);
  edit(/(\n {2}clocks:[\s\S]*?quotaPerDay: )\d+/, variant.clockLimits?.quotaPerDay);
  if (variant.consumerBatchMs !== undefined) {
    const consumer = /(\n {2}consumePunches:\n {4}handler: )src\/handlers\/consumePunches\.handler([\s\S]*?\n {4}environment:\n)/;
    if (!consumer.test(yaml)) throw new Error(`serverless.yml no longer matches ${consumer}`);
    yaml = yaml.replace(consumer, (_match, before: string, between: string) => `${before}dev/ponto/heldConsumePunches.handler${between}      HOLD_BATCH_MS: "${variant.consumerBatchMs}"\n`);
  }
  if (variant.provisionedPollers) {
    const { minimum, maximum } = variant.provisionedPollers;
    const capLine = /(consumePunches:[\s\S]*?)\n *maximumConcurrency: \d+/;
    const extensions = /\n {2}extensions:\n/;
    if (!capLine.test(yaml) || !extensions.test(yaml)) throw new Error(`serverless.yml no longer matches ${capLine} and ${extensions}`);
    yaml = yaml.replace(capLine, (_match, before: string) => before).replace(
      extensions,
      (match) =>
        `${match}    ${CONSUMER_MAPPING}:\n      Properties:\n        ProvisionedPollerConfig:\n` +
        `          MinimumPollers: ${minimum}\n          MaximumPollers: ${maximum}\n`,
    );
  }
  const configFile = `serverless.variant-${randomBytes(4).toString("hex")}.yml`;
  await writeFile(join(serviceDir, configFile), yaml);
  return { configFile, remove: () => rm(join(serviceDir, configFile), { force: true }) };
}

/** The function's timeout cut to a visibility timeout below it, or undefined to leave it. */
function shorterTimeout(yaml: string, functionName: string, visibilityTimeout: number | undefined): number | undefined {
  if (visibilityTimeout === undefined) return undefined;
  const timeout = Number(new RegExp(`\\n {2}${functionName}:[\\s\\S]*?\\n {4}timeout: (\\d+)`).exec(yaml)?.[1]);
  return Number.isFinite(timeout) && timeout > visibilityTimeout ? visibilityTimeout : undefined;
}
