import { readFileSync } from "node:fs";

/**
 * The Node flags `npm run dev` starts dev/commands/dev.ts with, read from package.json's `dev` script,
 * so that what starts the stack as a child process (the bench and demo, the docker check) runs
 * it exactly as a user's `npm run dev` does.
 */
export function devNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { scripts: { dev: string } };
  const [command, ...args] = scripts.dev.split(/\s+/);
  if (command !== "node") throw new Error(`package.json's dev script does not start with node: ${scripts.dev}`);
  return args.filter((arg) => arg.startsWith("--"));
}
