import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";

/** Where `npm run dev` keeps a stage's state by default: git-ignored, inside the project. */
export const STATE_FOLDER = ".ponto";

/**
 * The folder `npm run dev` keeps a stage's state in (Postgres's data, fauxqs's queues and
 * buckets), `<serviceDir>/.ponto/<stage>` unless one is given. With `fresh`, what it held is
 * removed first, and the console says so.
 *
 * @example
 * const stateDir = await prepareStateDir({ serviceDir: ".", stage: "local", fresh: false });
 */
export async function prepareStateDir(options: {
  serviceDir: string;
  stage: string;
  given?: string | undefined;
  fresh: boolean;
  onNotice?: (line: string) => void;
}): Promise<string> {
  const stateDir = options.given ? resolve(options.given) : join(options.serviceDir, STATE_FOLDER, options.stage);
  if (options.fresh) {
    await rm(stateDir, { recursive: true, force: true });
    (options.onNotice ?? console.log)(`state: --fresh, starting empty (removed ${stateDir})`);
  }
  return stateDir;
}
