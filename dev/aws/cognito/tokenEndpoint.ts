import type { IncomingMessage, ServerResponse } from "node:http";
import { TokenRequestError, type LocalUserPool } from "./userPool.ts";

/** Where the local stack hands out tokens; under /_local/, so loopback-only like the console. */
export const TOKEN_ENDPOINT_PATH = "/_local/cognito/token";

/**
 * The local stand-in for a user pool's token endpoint (`https://<domain>/oauth2/token`), at
 * POST /_local/cognito/token. It takes what Cognito takes for client credentials
 * (`grant_type=client_credentials`, the client's id and secret in the body or as Basic
 * authorization, `scope`), form-encoded or as JSON, and two local shortcuts in JSON:
 *
 * - `{ "clientName": "device-7", "scope": "svc/write" }`: the app client of that name, created
 *   with those scopes first if it does not exist (what provisioning does on AWS), then its token;
 * - `{ "username": "e-17", "groups": ["managers"] }`: the access token that user's sign-in gets.
 *
 * `userPool` (logical id or pool id) picks the pool when the template has more than one. Answers
 * 200 `{ access_token, token_type, expires_in }` or 400 `{ error }`, as Cognito does; false when
 * the path is not this endpoint's.
 */
export async function serveTokenEndpoint(
  pools: readonly LocalUserPool[],
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<boolean> {
  if (url.pathname !== TOKEN_ENDPOINT_PATH) return false;
  const answer = (statusCode: number, body: unknown) => {
    response.writeHead(statusCode, { "content-type": "application/json", "cache-control": "no-store" });
    response.end(JSON.stringify(body));
  };
  if (request.method !== "POST") {
    request.resume();
    answer(405, { error: "invalid_request", error_description: `POST ${TOKEN_ENDPOINT_PATH}` });
    return true;
  }
  try {
    const parameters = await tokenRequestOf(request);
    const pool = poolNamed(pools, parameters.userPool);
    const scopes = typeof parameters.scope === "string" ? parameters.scope.split(/\s+/).filter(Boolean) : undefined;
    if (typeof parameters.username === "string") {
      const groups = Array.isArray(parameters.groups) ? parameters.groups.map(String) : [];
      answer(200, await pool.userToken(parameters.username, groups, typeof parameters.clientName === "string" ? parameters.clientName : undefined));
    } else if (typeof parameters.clientName === "string") {
      const client = pool.clientNamed(parameters.clientName) ?? (await pool.createAppClient(parameters.clientName, scopes ?? []));
      answer(200, { ...(await pool.clientCredentialsToken(client.clientId, client.clientSecret, scopes)), client_id: client.clientId });
    } else {
      if (parameters.grant_type !== "client_credentials") throw new TokenRequestError("unsupported_grant_type");
      const [clientId, clientSecret] = basicCredentials(request) ?? [parameters.client_id, parameters.client_secret];
      answer(200, await pool.clientCredentialsToken(String(clientId ?? ""), clientSecret === undefined ? undefined : String(clientSecret), scopes));
    }
  } catch (error) {
    if (!(error instanceof TokenRequestError)) throw error;
    answer(400, { error: error.code, ...(error.message !== error.code && { error_description: error.message }) });
  }
  return true;
}

function poolNamed(pools: readonly LocalUserPool[], name: unknown): LocalUserPool {
  const pool = name === undefined ? (pools.length === 1 ? pools[0] : undefined) : pools.find((candidate) => candidate.logicalId === name || candidate.poolId === name);
  if (!pool) {
    const known = pools.map((candidate) => `${candidate.logicalId} (${candidate.poolId})`).join(", ") || "none";
    throw new TokenRequestError("invalid_request", `name the user pool with "userPool": this stack has ${known}`);
  }
  return pool;
}

async function tokenRequestOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  if ((request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
  try {
    const decoded = JSON.parse(text || "{}") as unknown;
    if (decoded && typeof decoded === "object" && !Array.isArray(decoded)) return decoded as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new TokenRequestError("invalid_request", "the body must be a JSON object or a form");
}

function basicCredentials(request: IncomingMessage): [string, string] | undefined {
  const match = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : [decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1))];
}
