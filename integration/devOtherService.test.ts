import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { stopChild, waitForOutput } from "../dev/commands/process/childProcess.ts";
import { freePort } from "../dev/aws/backends/index.ts";

const DEV_MAIN = fileURLToPath(new URL("../dev/commands/dev.ts", import.meta.url));
// serverless/examples aws-node-github-webhook-listener (integration/fixtures/githubWebhookListener/SOURCE.md).
const OTHER_SERVICE = "integration/fixtures/githubWebhookListener/serverless-nodejs20.yml";
let dev: ChildProcess | undefined;
let stateDir: string | undefined;

afterAll(async () => {
  if (dev) await stopChild(dev);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

// The command itself, on the embedded backend it is asked for, whatever INTEGRATION_BACKEND says.
describe("npm run dev --config, on a service that is not ponto", () => {
  it("runs it without ponto's parts: no migration, no database figure, and a failure's trace names no punch and no DLQ it lacks", async () => {
    const [api, aws, db] = [await freePort(), await freePort(), await freePort()];
    stateDir = await mkdtemp(join(tmpdir(), "dev-other-service-"));
    dev = spawn(
      process.execPath,
      [DEV_MAIN, "--quiet", "--backend", "embedded", "--state-dir", stateDir, "--config", OTHER_SERVICE, ...["--port", String(api), "--aws-port", String(aws), "--db-port", String(db)]],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    dev.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput(dev, /^ready:/m, "npm run dev --config");
    expect(output).not.toMatch(/migrating database/);

    // Its handler hashes event.body, which a POST without one leaves null: the invocation fails, and API Gateway answers 502.
    const failed = await fetch(`http://127.0.0.1:${api}/webhook`, { method: "POST" });
    expect(failed.status).toBe(502);
    const requestId = failed.headers.get("x-amzn-requestid")!;
    const trace = (await (await fetch(`http://127.0.0.1:${api}/_local/trace?q=${requestId}`)).json()) as { storedLookup: unknown; verdict: string };
    expect(trace.storedLookup).toBe("unavailable");
    expect(trace.verdict).toMatch(/^the last invocation of github-webhook-listener-local-githubWebhookListener failed: TypeError/);
    expect(JSON.stringify(trace)).not.toMatch(/punches|dead-letter/);

    const status = (await (await fetch(`http://127.0.0.1:${api}/_local/status`)).json()) as Record<string, unknown>;
    expect(status).not.toHaveProperty("databaseConnections");
  });
});
