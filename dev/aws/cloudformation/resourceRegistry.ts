import type { IntrinsicContext, LocalResource } from "./intrinsics.ts";

/**
 * The one record of what each logical id of the template stands for locally, filled as the
 * resources are created (queues, buckets, functions), and read by `Ref`, `Fn::GetAtt` and
 * `Fn::Sub` through the IntrinsicContext it also is.
 */
export class ResourceRegistry implements IntrinsicContext {
  readonly resources = new Map<string, LocalResource>();
  readonly pseudoParameters: Record<string, string>;

  constructor({ accountId, region, stackName }: { accountId: string; region: string; stackName: string }) {
    this.pseudoParameters = {
      "AWS::AccountId": accountId,
      "AWS::Region": region,
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
      "AWS::StackName": stackName,
    };
  }

  get accountId(): string {
    return this.pseudoParameters["AWS::AccountId"]!;
  }

  get region(): string {
    return this.pseudoParameters["AWS::Region"]!;
  }

  register(logicalId: string, resource: LocalResource): void {
    this.resources.set(logicalId, resource);
  }

  /** An attribute of a resource that exists; the caller registered it, so it is a bug if missing. */
  attributeOf(logicalId: string, attribute: string): string {
    const value = this.resources.get(logicalId)?.attributes[attribute];
    if (value === undefined) throw new Error(`${logicalId}.${attribute} is not registered`);
    return value;
  }
}
