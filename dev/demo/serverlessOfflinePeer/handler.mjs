import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

const sqs = new SQSClient({});

/** Each body to the queue, answered 202 with its message id, as the kit's service integration answers. */
export async function punch(event) {
  const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: event.body }));
  return { statusCode: 202, headers: { "content-type": "application/json" }, body: JSON.stringify({ messageId: MessageId }) };
}
