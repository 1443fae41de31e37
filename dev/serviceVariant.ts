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
}

const serviceDir = fileURLToPath(new URL("..", import.meta.url));

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
  edit(/(PunchesQueue:[\s\S]*?maxReceiveCount: )\d+/, variant.maxReceiveCount);
  edit(/(consumePunches:[\s\S]*?maximumConcurrency: )\d+/, variant.maximumConcurrency);
  edit(/(SyncsQueue:[\s\S]*?VisibilityTimeout: )\d+/, variant.syncVisibilityTimeout);
  const configFile = `serverless.variant-${randomBytes(4).toString("hex")}.yml`;
  await writeFile(join(serviceDir, configFile), yaml);
  return { configFile, remove: () => rm(join(serviceDir, configFile), { force: true }) };
}
