/**
 * fauxqs on a thread of its own: the local API, the SQS pollers and the emulator would otherwise
 * share one event loop, and under a burst the emulator starves the pollers that drain it.
 */
import { parentPort, workerData } from "node:worker_threads";
import { startFauxqs } from "fauxqs";

const { port, urlHost, dataDir } = workerData as { port: number; urlHost: string; dataDir?: string };
const server = await startFauxqs({ port, host: urlHost, logger: false, ...(dataDir !== undefined && { dataDir }) });
parentPort!.postMessage({ port: server.port });
parentPort!.on("message", async (message: string) => {
  if (message === "stop") {
    await server.stop();
    parentPort!.postMessage({ stopped: true });
  }
});
