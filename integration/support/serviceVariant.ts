import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { serviceDir } from "./suiteStack.ts";

export interface PunchesQueueVariant {
  visibilityTimeout?: number;
  maxReceiveCount?: number;
}

/**
 * A copy of the real serverless.yml with the punches queue's numbers changed, as a user would
 * edit them, for scenarios that cannot wait a minute for a visibility timeout. Fails loudly if
 * serverless.yml no longer has the settings it edits.
 */
export async function writeServiceVariant(variant: PunchesQueueVariant): Promise<{ configFile: string; remove(): Promise<void> }> {
  let yaml = await readFile(join(serviceDir, "serverless.yml"), "utf8");
  const edit = (pattern: RegExp, value: number | undefined) => {
    if (value === undefined) return;
    if (!pattern.test(yaml)) throw new Error(`serverless.yml no longer matches ${pattern}`);
    yaml = yaml.replace(pattern, (_match, prefix: string) => `${prefix}${value}`);
  };
  edit(/(PunchesQueue:[\s\S]*?VisibilityTimeout: )\d+/, variant.visibilityTimeout);
  edit(/(PunchesQueue:[\s\S]*?maxReceiveCount: )\d+/, variant.maxReceiveCount);
  const configFile = `serverless.variant-${randomBytes(4).toString("hex")}.yml`;
  await writeFile(join(serviceDir, configFile), yaml);
  return { configFile, remove: () => rm(join(serviceDir, configFile), { force: true }) };
}
