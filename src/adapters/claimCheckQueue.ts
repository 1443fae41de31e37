import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { ClaimCheck } from "../domain/syncBacklog.ts";
import { sqsClient } from "./sqsClient.ts";

/** Sends a sync's claim check to the syncs queue. */
export async function sendClaimCheck(queueUrl: string, claimCheck: ClaimCheck): Promise<void> {
  const sqs = await sqsClient();
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(claimCheck) }));
}
