/**
 * fauxqs on a thread of its own: the local API, the SQS pollers and the emulator would otherwise
 * share one event loop, and under a burst the emulator starves the pollers that drain it.
 */
import { DatabaseSync, StatementSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import { startFauxqs } from "fauxqs";

const { port, urlHost, dataDir } = workerData as { port: number; urlHost: string; dataDir?: string };
if (dataDir !== undefined) keepStateCheaply();
const server = await startFauxqs({ port, host: urlHost, logger: false, ...(dataDir !== undefined && { dataDir }) });
parentPort!.postMessage({ port: server.port });
parentPort!.on("message", async (message: string) => {
  if (message === "stop") {
    await server.stop();
    parentPort!.postMessage({ stopped: true });
  }
});

/**
 * fauxqs keeps its state in SQLite in WAL mode, writing each message three times (sent, received,
 * deleted), each its own transaction. Two changes, on its one connection (this thread opens no
 * other SQLite database), keep that from being the burst's bottleneck:
 *
 * - `synchronous = NORMAL`, SQLite's advice for WAL, instead of FULL: commits wait for no fsync
 *   (that cost 1 ms a message, 90% of this thread). A committed write still survives the process
 *   being killed (`kill -9`, a lost terminal); only an OS crash or power loss can lose the last ones.
 * - One transaction per turn of the event loop instead of one per row: a SendMessageBatch of ten
 *   is one commit, not ten (a third of the cost, measured on 60,000 writes). The commit is a
 *   microtask queued by the turn's first write, so it runs before fauxqs answers: its SQS handlers
 *   are async, and the reply is sent from a promise reaction queued after it. What was answered
 *   is on disk as before.
 *
 * fauxqs has no option for either, so both wrap its connection's calls.
 */
function keepStateCheaply(): void {
  let connection: DatabaseSync | undefined;
  let turnOpen = false;
  const commitTurn = () => {
    if (!turnOpen) return;
    turnOpen = false;
    exec.call(connection!, "COMMIT");
  };

  const exec = DatabaseSync.prototype.exec;
  DatabaseSync.prototype.exec = function (this: DatabaseSync, sql: string) {
    // fauxqs's own multi-statement transactions start from a clean slate.
    if (this === connection && /^\s*BEGIN\b/i.test(sql)) commitTurn();
    exec.call(this, sql);
    if (/^\s*PRAGMA\s+journal_mode\s*=\s*WAL\s*;?\s*$/i.test(sql)) {
      connection = this;
      exec.call(this, "PRAGMA synchronous = NORMAL");
    }
  };

  const run = StatementSync.prototype.run;
  StatementSync.prototype.run = function (this: StatementSync, ...parameters: unknown[]) {
    if (connection?.isOpen && !connection.isTransaction) {
      exec.call(connection, "BEGIN");
      turnOpen = true;
      queueMicrotask(commitTurn);
    }
    return run.apply(this, parameters as Parameters<typeof run>);
  };
}
