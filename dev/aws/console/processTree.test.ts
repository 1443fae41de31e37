import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { processTreeCpuSeconds } from "./processTree.ts";

/** A Node child that spends `seconds` of its own CPU time, says so, and then waits or exits. */
const burnCpu = (seconds: number, then: "wait" | "exit") =>
  `while (process.cpuUsage().user < ${seconds * 1e6}); console.log("burnt"); ${then === "wait" ? "setInterval(() => {}, 1000);" : ""}`;

// CPU time, not wall time, is what the children burn: on two cores shared with the other test files
// 0.4 s of it can take several seconds to get, so the budget is wide.
describe.runIf(process.platform === "linux")("processTreeCpuSeconds", { timeout: 30_000 }, () => {
  it("counts a running child's CPU time", async () => {
    const before = await processTreeCpuSeconds();
    const child = spawn(process.execPath, ["-e", burnCpu(0.4, "wait")], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await once(child.stdout, "data");
      expect((await processTreeCpuSeconds()) - before).toBeGreaterThanOrEqual(0.39);
    } finally {
      child.kill();
    }
  });

  it("keeps a child's CPU time once the child has ended", async () => {
    const before = await processTreeCpuSeconds();
    execFileSync(process.execPath, ["-e", burnCpu(0.4, "exit")]);
    expect((await processTreeCpuSeconds()) - before).toBeGreaterThanOrEqual(0.39);
  });
});
