import { LocalAwsError } from "../errors.ts";
import { CONTEXT_VARIABLES } from "./mappingTemplates.ts";

/** Where a REST Lambda authorizer reads one identity source of a request. */
export type IdentitySource = { from: "header" | "querystring"; name: string } | { from: "context"; name: string };

/** An AWS::ApiGateway::Authorizer of type TOKEN or REQUEST, as the template declares it. */
export interface LambdaAuthorizerDefinition {
  logicalId: string;
  type: "TOKEN" | "REQUEST";
  functionLogicalId: string;
  /** A TOKEN authorizer's one header; a REQUEST authorizer's sources, none when its cache is off. */
  identitySources: IdentitySource[];
  /** IdentityValidationExpression: a TOKEN not matching it, whole, is refused without invoking. */
  validationExpression?: string;
  resultTtlSeconds: number;
}

/**
 * Reads `IdentitySource` as API Gateway does for a REST API: comma-separated
 * `method.request.header.X`, `method.request.querystring.X` and `context.X`; a TOKEN authorizer
 * takes one header. Stage variables are refused: the local stack has none, so every call would
 * be a 401.
 *
 * @example
 * readIdentitySources("AuthAuthorizer", "REQUEST", "method.request.header.Auth, method.request.querystring.tenant");
 * // [{ from: "header", name: "auth" }, { from: "querystring", name: "tenant" }]
 */
export function readIdentitySources(where: string, type: "TOKEN" | "REQUEST", source: string | undefined): IdentitySource[] {
  const sources = (source ?? "").split(",").map((part) => part.trim()).filter((part) => part !== "");
  const read = sources.map((part): IdentitySource => {
    const parameter = /^method\.request\.(header|querystring)\.(.+)$/.exec(part);
    if (parameter) return { from: parameter[1] as "header" | "querystring", name: parameter[1] === "header" ? parameter[2]!.toLowerCase() : parameter[2]! };
    const context = /^context\.(.+)$/.exec(part);
    if (context && (CONTEXT_VARIABLES as readonly string[]).includes(context[1]!)) return { from: "context", name: context[1]! };
    throw new LocalAwsError(
      `${where}: the identity source ${part} is not emulated; the local stack reads method.request.header.X, method.request.querystring.X ` +
        `and context.X (X one of ${CONTEXT_VARIABLES.join(", ")}); it has no stage variables`,
    );
  });
  if (type === "TOKEN" && (read.length !== 1 || read[0]!.from !== "header")) {
    throw new LocalAwsError(`${where}: a TOKEN authorizer reads its token from one header (method.request.header.X), not ${JSON.stringify(source ?? "")}`);
  }
  return read;
}
