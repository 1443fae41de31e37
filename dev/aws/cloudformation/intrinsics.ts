import { LocalAwsError } from "../errors.ts";

export interface CloudFormationTemplate {
  Resources: Record<string, CloudFormationResource>;
}

export interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** What a logical id stands for once it exists locally: `Ref` and `Fn::GetAtt` read these. */
export interface LocalResource {
  ref: string;
  attributes: Record<string, string>;
}

export interface IntrinsicContext {
  resources: ReadonlyMap<string, LocalResource>;
  pseudoParameters: Record<string, string>;
}

/**
 * Resolves the intrinsic functions the compiled template uses (Ref, Fn::GetAtt, Fn::Sub,
 * Fn::Join) against resources that exist locally. A reference to something the local stack does
 * not emulate fails with its name, rather than turning into a silent "undefined".
 */
export function resolveIntrinsics(value: unknown, context: IntrinsicContext): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, context));
  if (value === null || typeof value !== "object") return value;

  const entries = Object.entries(value);
  const [key, argument] = entries[0] ?? [];
  if (entries.length === 1 && key !== undefined) {
    switch (key) {
      case "Ref":
        return refOf(String(argument), context);
      case "Fn::GetAtt":
        return attributeOf(argument as [string, string], context);
      case "Fn::Join": {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map((part) => String(resolveIntrinsics(part, context))).join(separator);
      }
      case "Fn::Sub":
        return substitute(argument as string | [string, Record<string, unknown>], context);
    }
  }
  return Object.fromEntries(entries.map(([name, item]) => [name, resolveIntrinsics(item, context)]));
}

/** resolveIntrinsics for a value that must end as text: a name, a URL, an ARN. */
export function resolveString(value: unknown, context: IntrinsicContext): string {
  return String(resolveIntrinsics(value, context));
}

function refOf(name: string, context: IntrinsicContext): string {
  const pseudo = context.pseudoParameters[name];
  if (pseudo !== undefined) return pseudo;
  const resource = context.resources.get(name);
  if (!resource) throw new LocalAwsError(`serverless.yml refers to ${name}, which the local stack does not emulate`);
  return resource.ref;
}

function attributeOf([name, attribute]: [string, string], context: IntrinsicContext): string {
  const value = context.resources.get(name)?.attributes[attribute];
  if (value === undefined) {
    throw new LocalAwsError(`serverless.yml reads ${name}.${attribute}, which the local stack does not emulate`);
  }
  return value;
}

function substitute(argument: string | [string, Record<string, unknown>], context: IntrinsicContext): string {
  const [text, variables] = typeof argument === "string" ? [argument, {}] : argument;
  return text.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
    if (name in variables) return resolveString(variables[name], context);
    const [resource, attribute] = name.split(".");
    return attribute === undefined ? refOf(name, context) : attributeOf([resource!, attribute], context);
  });
}

/**
 * The template's resources of one type, with their logical ids.
 *
 * @example
 * resourcesOfType(template, "AWS::SQS::Queue"); // [["WorkQueue", { QueueName: … }], …]
 */
export function resourcesOfType(
  template: CloudFormationTemplate,
  type: string,
): Array<[logicalId: string, properties: Record<string, unknown>]> {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => [logicalId, resource.Properties ?? {}]);
}

/**
 * The logical id behind `{ Ref: X }` or `{ "Fn::GetAtt": [X, ...] }`. With `optional`, anything
 * else (a literal, nothing) gives undefined.
 */
export function logicalIdOf(value: unknown, where: string, optional: true): string | undefined;
export function logicalIdOf(value: unknown, where: string): string;
export function logicalIdOf(value: unknown, where: string, optional = false): string | undefined {
  const reference = value as { Ref?: string; "Fn::GetAtt"?: [string, string] } | undefined;
  const target = reference?.Ref ?? reference?.["Fn::GetAtt"]?.[0];
  if (target === undefined && !optional) {
    throw new LocalAwsError(`${where} must reference a resource of this service, got ${JSON.stringify(value)}`);
  }
  return target;
}
