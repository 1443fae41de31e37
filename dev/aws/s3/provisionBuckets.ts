import { CreateBucketCommand, HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { LocalAwsError } from "../errors.ts";
import { resolveString } from "../cloudformation/intrinsics.ts";
import type { ResourceRegistry } from "../cloudformation/resourceRegistry.ts";
import type { BucketDefinition } from "../cloudformation/serviceModel.ts";

/**
 * Creates the template's buckets (kept if they exist, as on a Docker backend from an earlier run)
 * and registers each under its logical id for `Ref`/`Fn::GetAtt`. Encryption, public access
 * blocks, lifecycle rules and bucket policies are AWS's to enforce; the emulators ignore them.
 */
export async function provisionBuckets(
  s3: S3Client,
  buckets: BucketDefinition[],
  registry: ResourceRegistry,
): Promise<string[]> {
  const names: string[] = [];
  for (const bucket of buckets) {
    if (bucket.bucketName === undefined) {
      throw new LocalAwsError(`${bucket.logicalId} has no BucketName; the local stack needs one to create it`);
    }
    const name = resolveString(bucket.bucketName, registry);
    const exists = await s3.send(new HeadBucketCommand({ Bucket: name })).then(
      () => true,
      () => false,
    );
    if (!exists) await s3.send(new CreateBucketCommand({ Bucket: name }));
    registry.register(bucket.logicalId, {
      ref: name,
      attributes: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` },
    });
    names.push(name);
  }
  return names;
}
