import type { APIGatewayProxyEvent } from "aws-lambda";
import type { TimesheetReader } from "../domain/timesheetAccess.ts";

type Claims = Record<string, string | undefined>;

function claimsOf(event: APIGatewayProxyEvent): Claims | undefined {
  return (event.requestContext.authorizer as { claims?: Claims } | null | undefined)?.claims;
}

/** The clock API Gateway's Cognito authorizer let through: its app client id. */
export function clockIdOf(event: APIGatewayProxyEvent): string | undefined {
  return claimsOf(event)?.client_id || undefined;
}

/**
 * The person whose access token API Gateway's Cognito authorizer let through. API Gateway hands
 * every claim over as a string, so `cognito:groups` comes as "managers,staff" (or "[managers staff]").
 */
export function timesheetReaderOf(event: APIGatewayProxyEvent): TimesheetReader | undefined {
  const claims = claimsOf(event);
  const username = claims?.username ?? claims?.["cognito:username"];
  if (!username) return undefined;
  const groups = (claims?.["cognito:groups"] ?? "").replace(/^\[|\]$/g, "").split(/[,\s]+/).filter(Boolean);
  return { username, groups };
}
