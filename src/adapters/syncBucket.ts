import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { UnrecoverableSyncError, type SyncResult } from "../domain/syncBacklog.ts";

let s3: S3Client | undefined;

/** The container's S3 client, created on first use (region and endpoint from the environment). */
function client(): S3Client {
  s3 ??= new S3Client({});
  return s3;
}

/** Where a sync's body waits for the consumer. */
export const backlogKey = (syncId: string) => `incoming/${syncId}.json`;
/** Where the consumer leaves the outcome, rejected punches included. */
export const resultKey = (syncId: string) => `results/${syncId}.json`;

/**
 * Stores a backlog; with `ifAbsent`, as an S3 conditional write (If-None-Match: *), so of two
 * requests racing for one sync id only the first stores its body and the other learns "exists".
 */
export async function putBacklog(
  bucket: string,
  syncId: string,
  body: string,
  bodySha256: string,
  { ifAbsent, clockId }: { ifAbsent: boolean; clockId: string },
): Promise<"stored" | "exists"> {
  try {
    await client().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: backlogKey(syncId),
        Body: body,
        ContentType: "application/json",
        // The owner travels with the backlog, so a pending sync is answered to its clock only.
        Metadata: { "body-sha256": bodySha256, "clock-id": clockId },
        ...(ifAbsent && { IfNoneMatch: "*" }),
      }),
    );
    return "stored";
  } catch (error) {
    if (ifAbsent && (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) return "exists";
    throw error;
  }
}

export async function deleteBacklog(bucket: string, syncId: string): Promise<void> {
  await client().send(new DeleteObjectCommand({ Bucket: bucket, Key: backlogKey(syncId) }));
}

/** The digest of the body stored for this sync, or undefined when there is none. */
export async function storedBacklogDigest(bucket: string, syncId: string): Promise<string | undefined> {
  return (await storedBacklog(bucket, syncId))?.digest;
}

/** What is stored with a sync's backlog (its digest, its clock), or undefined when there is none. */
export async function storedBacklog(bucket: string, syncId: string): Promise<{ digest: string; clockId?: string } | undefined> {
  try {
    const head = await client().send(new HeadObjectCommand({ Bucket: bucket, Key: backlogKey(syncId) }));
    const clockId = head.Metadata?.["clock-id"];
    return { digest: head.Metadata?.["body-sha256"] ?? "", ...(clockId !== undefined && { clockId }) };
  } catch (error) {
    if (error instanceof NotFound || error instanceof NoSuchKey) return undefined;
    throw error;
  }
}

export async function readBacklog(bucket: string, key: string): Promise<string> {
  try {
    const object = await client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body!.transformToString("utf-8");
  } catch (error) {
    // The object is gone (expired, deleted by hand): no retry brings it back.
    if (error instanceof NoSuchKey) throw new UnrecoverableSyncError(`the backlog s3://${bucket}/${key} does not exist`);
    throw error;
  }
}

export async function putResult(bucket: string, result: SyncResult): Promise<void> {
  await client().send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: resultKey(result.syncId),
      Body: JSON.stringify(result),
      ContentType: "application/json",
    }),
  );
}

export async function readResult(bucket: string, syncId: string): Promise<SyncResult | undefined> {
  try {
    const object = await client().send(new GetObjectCommand({ Bucket: bucket, Key: resultKey(syncId) }));
    return JSON.parse(await object.Body!.transformToString("utf-8")) as SyncResult;
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
}
