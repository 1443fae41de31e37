/**
 * `npm run redrive`: once the cause of the failures is fixed, moves the messages of each DLQ of
 * the running local stack back to its source queue, where the consumer takes them again.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { redriveDeadLetters, type LocalStatus } from "../aws/index.ts";
import { parseArgs } from "node:util";
import { CommandError, runCommand } from "./commandError.ts";

const { values } = parseArgs({
  options: {
    api: { type: "string", default: process.env.PONTO_API_URL ?? "http://127.0.0.1:3000" },
    queue: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});

async function main(): Promise<void> {
  if (values.help) {
    console.log(`Usage: npm run redrive -- [--queue <source queue name>] [--api http://127.0.0.1:3000]

Moves every message of the dead-letter queues of the stack that \`npm run dev\` runs back to their
source queues. Read why they failed first: each parked punch carries a failureReason attribute.`);
    return;
  }
  let status: LocalStatus;
  try {
    status = (await (await fetch(`${values.api}/_local/status`)).json()) as LocalStatus;
  } catch {
    throw new CommandError(`no local stack answers at ${values.api}: start it with \`npm run dev\`, or pass --api`);
  }
  const sources = status.queues.filter((queue) => queue.deadLetterQueue && (!values.queue || queue.name === values.queue));
  if (sources.length === 0) {
    throw new CommandError(`no queue with a DLQ${values.queue ? ` named ${values.queue}` : ""}; the stack has: ${status.queues.map((queue) => queue.name).join(", ")}`);
  }
  const sqs = new SQSClient({ endpoint: status.awsEndpoint, region: status.region, credentials: status.credentials });
  try {
    for (const queue of sources) {
      const moved = await redriveDeadLetters(sqs, queue.deadLetterQueue!.url, queue.url);
      console.log(`${queue.deadLetterQueue!.name} → ${queue.name}: ${moved} message${moved === 1 ? "" : "s"} moved`);
    }
  } finally {
    sqs.destroy();
  }
}

runCommand(main);
