import type { ChildProcess } from "node:child_process";

/**
 * Resolves with what the child has printed once `pattern` appears in it, and rejects if the child
 * exits first. Its output keeps being drained afterwards, so a chatty child never stalls on a full
 * pipe.
 */
export function waitForOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const streams = [child.stdout, child.stderr].filter((stream) => stream !== null);
    const onExit = (code: number | null) => reject(new Error(`${what} exited (${code}) before it was ready:\n${output}`));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!pattern.test(output)) return;
      for (const stream of streams) {
        stream.off("data", onData);
        stream.resume();
      }
      child.off("exit", onExit);
      resolve(output);
    };
    for (const stream of streams) stream.on("data", onData);
    child.once("exit", onExit);
  });
}

/** Ctrl-C for a child: SIGINT, then SIGKILL if it has not exited after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
