import type { IncomingMessage, ServerResponse } from "node:http";
import type { UsagePlans } from "./usagePlans.ts";

/** Where the local stack creates API keys; under /_local/, so loopback-only like the console. */
export const API_KEYS_PATH = "/_local/apigateway/api-keys";

/**
 * The local stand-in for `aws apigateway create-api-key` plus `create-usage-plan-key`, at
 * POST /_local/apigateway/api-keys with `{ "name": "device-7", "usagePlans": ["…"] }` (every plan
 * of the API when none are named): answers 200 `{ id, name, value }`, the existing key when one
 * has that name. GET lists the keys. False when the path is not this endpoint's.
 */
export async function serveApiKeyEndpoint(usagePlans: UsagePlans, request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname !== API_KEYS_PATH) return false;
  const answer = (statusCode: number, body: unknown) => {
    response.writeHead(statusCode, { "content-type": "application/json", "cache-control": "no-store" });
    response.end(JSON.stringify(body));
  };
  if (request.method === "GET") {
    answer(200, usagePlans.apiKeys.map(({ id, name, value, enabled, usagePlans: plans }) => ({ id, name, value, enabled, usagePlans: plans })));
    return true;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  let parameters: { name?: unknown; usagePlans?: unknown };
  try {
    parameters = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as typeof parameters;
  } catch {
    parameters = {};
  }
  if (request.method !== "POST" || typeof parameters.name !== "string" || parameters.name === "") {
    answer(400, { message: `POST ${API_KEYS_PATH} with { "name": "…", "usagePlans"?: ["<logical id>"] }` });
    return true;
  }
  try {
    const plans = Array.isArray(parameters.usagePlans) ? parameters.usagePlans.map(String) : undefined;
    const key = await usagePlans.createKey(parameters.name, plans);
    answer(200, { id: key.id, name: key.name, value: key.value });
  } catch (error) {
    answer(400, { message: (error as Error).message });
  }
  return true;
}
