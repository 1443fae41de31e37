import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { EMULATOR_ACCOUNT, freePort, startFauxqsThread } from "../aws/backends/index.ts";
import { clientQueueUrl } from "../aws/sqs/queueUrl.ts";
import { stopChild, waitForOutput } from "../commands/process/childProcess.ts";
import { fireBurst, type RequestBurst } from "./requestBurst.ts";

const PEER_DIR = fileURLToPath(new URL("./serverlessOfflinePeer/", import.meta.url));
const SERVERLESS = fileURLToPath(new URL("../../node_modules/.bin/serverless", import.meta.url));

export interface PeerIngest {
  peer: string;
  /** Requests answered 202 a second: what was accepted, as the kit's figure counts. */
  requestsPerSecond: number;
  seconds: number;
  statusCodes: Record<string, number>;
  queued: number;
}

/**
 * The same burst against what a serverless-offline 14 user runs for the storage-first edge (see
 * serverlessOfflinePeer/serverless.yml): a Lambda-proxy route whose handler sends each body to
 * SQS, on a fauxqs of its own. Under the burst it answers some requests 502 or 504 (its
 * invocations queue behind its worker threads), so the figure counts the 202s, each checked to be
 * a message on the queue, and the answers are kept beside it.
 */
export async function serverlessOfflineIngest(burst: Omit<RequestBurst, "url" | "onResponse" | "onAnswer">): Promise<PeerIngest> {
  const sqsPort = await freePort();
  const fauxqs = await startFauxqsThread(sqsPort);
  const sqsEndpoint = `http://127.0.0.1:${sqsPort}`;
  const sqs = new SQSClient({ endpoint: sqsEndpoint, region: "eu-west-1", credentials: EMULATOR_ACCOUNT.credentials });
  const httpPort = await freePort();
  try {
    const created = await sqs.send(new CreateQueueCommand({ QueueName: "offline-peer-punches" }));
    // The path-style URL the kit hands its own functions, which every SDK accepts.
    const queueUrl = clientQueueUrl(created.QueueUrl!, sqsEndpoint);
    const params = {
      queueUrl,
      sqsEndpoint,
      accessKeyId: EMULATOR_ACCOUNT.credentials.accessKeyId,
      secretAccessKey: EMULATOR_ACCOUNT.credentials.secretAccessKey,
      httpPort: String(httpPort),
      lambdaPort: String(await freePort()),
    };
    const child = spawn(SERVERLESS, ["offline", "start", ...Object.entries(params).map(([name, value]) => `--param=${name}=${value}`)], {
      cwd: PEER_DIR,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, SLS_TELEMETRY_DISABLED: "1" },
    });
    try {
      await waitForOutput(child, /Server ready/, "serverless offline");
      const statusCodes: Record<string, number> = {};
      const startedAt = performance.now();
      await fireBurst({ ...burst, url: `http://127.0.0.1:${httpPort}`, onResponse: (status) => void (statusCodes[status] = (statusCodes[status] ?? 0) + 1) });
      const seconds = (performance.now() - startedAt) / 1000;
      const accepted = statusCodes[202] ?? 0;
      const queued = await queuedMessages(sqs, queueUrl);
      if (queued < accepted) throw new Error(`serverless-offline answered ${accepted} requests 202 but queued ${queued}`);
      const peer = "serverless-offline 14, a Lambda-proxy route sending to SQS";
      return { peer, requestsPerSecond: Math.round(accepted / seconds), seconds, statusCodes, queued };
    } finally {
      await stopChild(child, 10_000);
    }
  } finally {
    sqs.destroy();
    await fauxqs.stop();
  }
}

async function queuedMessages(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}
