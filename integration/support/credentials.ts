import { remoteClocks, type Clocks, type PeopleTokens } from "../../dev/ponto/clockCredentials.ts";

/** A stack to call: its URL (credentials through its local endpoints), or a started stack with its own. */
export type ApiTarget = string | { apiUrl: string; clocks: Clocks; tokens: PeopleTokens };

const remote = new Map<string, ReturnType<typeof remoteClocks>>();

function accessOf(target: ApiTarget): { apiUrl: string; clocks: Clocks; tokens: PeopleTokens } {
  if (typeof target !== "string") return target;
  const apiUrl = new URL(target).origin;
  let clocks = remote.get(apiUrl);
  if (!clocks) remote.set(apiUrl, (clocks = remoteClocks(apiUrl)));
  return { apiUrl: target, ...clocks, clocks };
}

export function apiUrlOf(target: ApiTarget): string {
  return typeof target === "string" ? target : target.apiUrl;
}

/** Authorization and x-api-key of a provisioned clock, as a real clock sends them. */
export async function clockHeaders(target: ApiTarget, deviceId: string): Promise<Record<string, string>> {
  return (await accessOf(target).clocks.credentialsFor(deviceId)).headers;
}

/** Authorization of a person: the employee's own token, or a manager's. */
export async function personHeaders(target: ApiTarget, employeeId: string, options: { manager?: boolean } = {}): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await accessOf(target).tokens.employee(employeeId, options)}` };
}

/** The clock a body authenticates as: its deviceId when it names one, else the lobby's clock. */
export function clockOfBody(body: unknown): string {
  const deviceId = typeof body === "object" && body !== null ? (body as { deviceId?: unknown }).deviceId : undefined;
  return typeof deviceId === "string" && /^[\w.-]{1,128}$/.test(deviceId) ? deviceId : "clock-lobby";
}

/**
 * GET an employee's timesheet as that employee (or `as` someone else, or a manager).
 *
 * @example
 * const response = await getTimesheet(suite.stack.apiUrl, "e-17", "from=2026-11-23&to=2026-11-23");
 */
export async function getTimesheet(
  target: ApiTarget,
  employeeId: string,
  query: string,
  reader: { as?: string; manager?: boolean } = {},
): Promise<Response> {
  const headers = await personHeaders(target, reader.as ?? employeeId, { manager: reader.manager ?? false });
  return fetch(`${apiUrlOf(target)}/employees/${employeeId}/timesheet?${query}`, { headers });
}
