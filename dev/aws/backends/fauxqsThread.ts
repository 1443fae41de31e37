import { once } from "node:events";
import { ownStrippedSources, startStrippedWorker } from "../lambda/strippedWorker.ts";

export interface FauxqsThreadOptions {
  /** fauxqs keeps queues, messages (in flight too) and buckets in a SQLite file here, across restarts. */
  dataDir?: string;
}

/**
 * Starts fauxqs on its own thread. `urlHost` only names the queue URLs it hands out
 * (`http://sqs.<region>.<urlHost>:<port>/…`); fauxqs listens on every interface of `port`.
 * Without a `dataDir` its state is in memory and gone on stop.
 *
 * @example
 * const fauxqs = await startFauxqsThread(4566, "127.0.0.1", { dataDir: ".state/fauxqs" });
 */
export async function startFauxqsThread(port: number, urlHost = "127.0.0.1", { dataDir }: FauxqsThreadOptions = {}): Promise<{ stop(): Promise<void> }> {
  const module = new URL("./fauxqsWorker.ts", import.meta.url);
  const worker = startStrippedWorker(module, ownStrippedSources(module), { workerData: { port, urlHost, dataDir } });
  const [started] = (await Promise.race([
    once(worker, "message"),
    once(worker, "error").then(([error]) => Promise.reject(error)),
  ])) as [{ port: number }];
  if (started.port !== port) throw new Error(`fauxqs started on ${started.port}, not ${port}`);
  return {
    async stop() {
      worker.postMessage("stop");
      await Promise.race([once(worker, "message"), new Promise((resolve) => setTimeout(resolve, 2_000))]);
      await worker.terminate();
    },
  };
}
