/**
 * The IAM policy a Lambda authorizer returns, read and evaluated as API Gateway evaluates it
 * against the ARN of the method being called. Nothing here is REST-only: an HTTP API authorizer
 * with IAM-policy responses evaluates the same document against its route's ARN.
 */

/** What a policy says of one call: an explicit Deny wins over any Allow; nothing matching is an implicit deny. */
export type PolicyVerdict = "allow" | "explicit-deny" | "implicit-deny";

export interface PolicyStatement {
  effect: "Allow" | "Deny";
  actions: string[];
  resources: string[];
}

/** The action API Gateway checks a caller's policy for. */
export const INVOKE_ACTION = "execute-api:Invoke";

/**
 * The statements of a policy document, or why API Gateway would refuse it (its answer is then a
 * 500, whatever the statements meant). `Statement`, `Action` and `Resource` may each be one value
 * or a list, as in any IAM policy.
 *
 * @example
 * readPolicyDocument({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: "*" }] });
 * // { statements: [{ effect: "Allow", actions: ["execute-api:Invoke"], resources: ["*"] }] }
 */
export function readPolicyDocument(document: unknown): { statements: PolicyStatement[] } | { malformed: string } {
  if (typeof document !== "object" || document === null) return { malformed: "policyDocument is missing or not an object" };
  const statement = (document as { Statement?: unknown }).Statement;
  if (statement === undefined) return { malformed: "policyDocument has no Statement" };
  const statements: PolicyStatement[] = [];
  for (const [index, entry] of listOf(statement).entries()) {
    const where = `policyDocument.Statement[${index}]`;
    if (typeof entry !== "object" || entry === null) return { malformed: `${where} is not an object` };
    const { Effect, Action, Resource, NotAction, NotResource } = entry as Record<string, unknown>;
    if (NotAction !== undefined || NotResource !== undefined) {
      return { malformed: `${where} uses NotAction or NotResource, which the local stack does not evaluate; write Action and Resource` };
    }
    if (Effect !== "Allow" && Effect !== "Deny") return { malformed: `${where}.Effect must be "Allow" or "Deny", not ${JSON.stringify(Effect)}` };
    const actions = listOf(Action);
    const resources = listOf(Resource);
    if (actions.length === 0 || !actions.every((action) => typeof action === "string")) return { malformed: `${where}.Action must be a string or a list of strings` };
    if (resources.length === 0 || !resources.every((resource) => typeof resource === "string")) {
      return { malformed: `${where}.Resource must be a string or a list of strings` };
    }
    statements.push({ effect: Effect, actions: actions as string[], resources: resources as string[] });
  }
  return { statements };
}

/**
 * Whether the statements let a caller invoke the method of this ARN. As IAM evaluates: a Deny
 * statement matching action and resource wins, else an Allow that matches, else an implicit deny.
 * Actions match in any case (IAM action names are case-insensitive), resources exactly.
 *
 * @example
 * evaluatePolicy(statements, "arn:aws:execute-api:eu-west-1:000000000000:local/dev/GET/items/1"); // "allow"
 */
export function evaluatePolicy(statements: readonly PolicyStatement[], methodArn: string, action: string = INVOKE_ACTION): PolicyVerdict {
  const applies = (statement: PolicyStatement) =>
    statement.actions.some((pattern) => actionMatches(pattern, action)) && statement.resources.some((pattern) => arnMatches(pattern, methodArn));
  const matching = statements.filter(applies);
  if (matching.some((statement) => statement.effect === "Deny")) return "explicit-deny";
  return matching.length > 0 ? "allow" : "implicit-deny";
}

/**
 * The ARN API Gateway gives a call of a REST API method:
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`, the path as called
 * (not the resource template), without its leading slash: `/` gives `…/GET/`.
 *
 * @example
 * executeApiArn({ region: "eu-west-1", accountId: "000000000000", apiId: "local", stage: "dev", method: "GET", path: "/items/1" });
 * // "arn:aws:execute-api:eu-west-1:000000000000:local/dev/GET/items/1"
 */
export function executeApiArn(call: { region: string; accountId: string; apiId: string; stage: string; method: string; path: string }): string {
  return `arn:aws:execute-api:${call.region}:${call.accountId}:${call.apiId}/${call.stage}/${call.method}/${call.path.replace(/^\//, "")}`;
}

function listOf(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function actionMatches(pattern: string, action: string): boolean {
  return new RegExp(`^${wildcardSource(pattern, false)}$`, "i").test(action);
}

/**
 * IAM's rule for a resource ARN: `*` and `?` match within the segment between colons, except a
 * `*` that ends a segment, which may run on past the colons (so `arn:aws:execute-api:*` matches
 * every method of every API).
 */
function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === "*") return true;
  return new RegExp(`^${wildcardSource(pattern, true)}$`).test(arn);
}

function wildcardSource(pattern: string, withinSegments: boolean): string {
  let source = "";
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern[index]!;
    if (character === "*") {
      const endsSegment = index === pattern.length - 1 || pattern[index + 1] === ":";
      source += withinSegments && !endsSegment ? "[^:]*" : ".*";
    } else if (character === "?") {
      source += withinSegments ? "[^:]" : ".";
    } else {
      source += character.replace(/[.+^${}()|[\]\\/]/g, "\\$&");
    }
  }
  return source;
}
