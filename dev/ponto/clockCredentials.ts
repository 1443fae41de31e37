import type { LocalAws } from "../aws/index.ts";

/** The user pool of serverless.yml that clocks and people authenticate with. */
export const USER_POOL = "UserPool";
/** The scope a clock's app client is provisioned with (custom.punchesWriteScope in serverless.yml). */
export const PUNCHES_WRITE_SCOPE = "ponto/punches.write";
/** The template's app client people sign in through. */
const PEOPLE_CLIENT = "people";
/** Refresh a cached token this long before it expires. */
const TOKEN_MARGIN_MS = 60_000;

/** What a provisioned clock holds: its app client, its API key, and a current access token. */
export interface ClockCredentials {
  deviceId: string;
  clientId: string;
  clientSecret: string;
  apiKey: string;
  accessToken: string;
  /** Authorization and x-api-key, ready for a request. */
  headers: Record<string, string>;
}

/** Provisions local clocks as provisioning does on AWS: an app client and an API key each. */
export interface Clocks {
  /** The clock's credentials, provisioning it first if it is new (idempotent by deviceId). */
  credentialsFor(deviceId: string): Promise<ClockCredentials>;
}

/** Tokens for people, as their sign-in would get them. */
export interface PeopleTokens {
  /** An employee's access token (username = employeeId); with `manager`, in the managers group. */
  employee(employeeId: string, options?: { manager?: boolean }): Promise<string>;
}

/**
 * Clocks and people for ponto's stack on the local AWS: each clock is an app client of the user
 * pool with the write scope and a secret, and an API key in the template's usage plan, named
 * after its deviceId; tokens are cached until a minute before they expire.
 *
 * @example
 * const { headers } = await localClocks(stack).credentialsFor("clock-lobby");
 * await fetch(`${stack.apiUrl}/punches`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
 */
export function localClocks(stack: Pick<LocalAws, "userPools" | "usagePlans">): Clocks & { tokens: PeopleTokens } {
  const pool = stack.userPools.find((candidate) => candidate.logicalId === USER_POOL);
  const userPool = () => {
    if (!pool) throw new Error(`serverless.yml has no user pool ${USER_POOL}: clocks cannot authenticate`);
    return pool;
  };
  const provision = async (deviceId: string): Promise<Provisioned> => {
    const client = await userPool().createAppClient(deviceId, [PUNCHES_WRITE_SCOPE]);
    const key = await stack.usagePlans.createKey(deviceId);
    const token = await userPool().clientCredentialsToken(client.clientId, client.clientSecret, [PUNCHES_WRITE_SCOPE]);
    return provisioned({ deviceId, clientId: client.clientId, clientSecret: client.clientSecret! }, key.value, token);
  };
  return {
    credentialsFor: cachedPerDevice(provision),
    tokens: {
      async employee(employeeId, { manager = false } = {}) {
        return (await userPool().userToken(employeeId, manager ? ["managers"] : [], PEOPLE_CLIENT)).access_token;
      },
    },
  };
}

/**
 * The same clocks and tokens for a stack running elsewhere (`npm run dev`), through its local-only
 * endpoints: POST /_local/cognito/token and POST /_local/apigateway/api-keys.
 *
 * @example
 * const { headers } = await remoteClocks("http://127.0.0.1:3000").credentialsFor("clock-lobby");
 */
export function remoteClocks(apiUrl: string): Clocks & { tokens: PeopleTokens } {
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(`${apiUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const answer = (await response.json()) as T & { error?: string; error_description?: string; message?: string };
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${answer.error_description ?? answer.error ?? answer.message}`);
    return answer;
  };
  const provision = async (deviceId: string): Promise<Provisioned> => {
    const token = await post<{ access_token: string; expires_in: number; client_id: string }>("/_local/cognito/token", {
      userPool: USER_POOL,
      clientName: deviceId,
      scope: PUNCHES_WRITE_SCOPE,
    });
    const key = await post<{ value: string }>("/_local/apigateway/api-keys", { name: deviceId });
    // The secret is not handed out by the token shortcut: a clock that needs it reads the stack's state.
    return provisioned({ deviceId, clientId: token.client_id, clientSecret: "" }, key.value, token);
  };
  return {
    credentialsFor: cachedPerDevice(provision),
    tokens: {
      async employee(employeeId, { manager = false } = {}) {
        const token = await post<{ access_token: string }>("/_local/cognito/token", {
          userPool: USER_POOL,
          username: employeeId,
          groups: manager ? ["managers"] : [],
          clientName: PEOPLE_CLIENT,
        });
        return token.access_token;
      },
    },
  };
}

/** The clocks `npm run dev` provisions, so a developer can post a punch at once. */
export const LOCAL_DEVICES = ["clock-lobby"];

/**
 * What `npm run dev` prints about credentials: each API key (`api key <name>: <value>`), the
 * local clocks' app clients, and how to get a token.
 */
export async function localCredentialLines(stack: Pick<LocalAws, "userPools" | "usagePlans"> & { clocks: Clocks }): Promise<string[]> {
  // Another service run with --config may have no clocks' user pool: then there is nothing to print.
  if (!stack.userPools.some((pool) => pool.logicalId === USER_POOL)) return [];
  const clocks = await Promise.all(LOCAL_DEVICES.map((deviceId) => stack.clocks.credentialsFor(deviceId)));
  return [
    ...clocks.map((clock) => `  clock          ${clock.deviceId}: app client ${clock.clientId} (${PUNCHES_WRITE_SCOPE})`),
    ...stack.usagePlans.apiKeys.map((key) => `  api key ${key.name}: ${key.value}`),
    `  token          npm run token -- --device ${LOCAL_DEVICES[0]}   (--employee e-17, --employee m-1 --manager)`,
  ];
}

interface Provisioned {
  credentials: ClockCredentials;
  expiresInSeconds: number;
}

/** A clock's credentials as the API takes them: its bearer token and its API key. */
function provisioned(
  client: Pick<ClockCredentials, "deviceId" | "clientId" | "clientSecret">,
  apiKey: string,
  token: { access_token: string; expires_in: number },
): Provisioned {
  return {
    credentials: {
      ...client,
      apiKey,
      accessToken: token.access_token,
      headers: { authorization: `Bearer ${token.access_token}`, "x-api-key": apiKey },
    },
    expiresInSeconds: token.expires_in,
  };
}

/** One app client and key per device, provisioned once; its token is taken again before it expires. */
function cachedPerDevice(provision: (deviceId: string) => Promise<Provisioned>): Clocks["credentialsFor"] {
  const cached = new Map<string, { credentials: Promise<ClockCredentials>; expiresAt: number }>();
  return (deviceId) => {
    const known = cached.get(deviceId);
    if (known && known.expiresAt - TOKEN_MARGIN_MS > Date.now()) return known.credentials;
    // Kept while it is being provisioned, so concurrent callers share one client and key.
    const provisioned = provision(deviceId);
    const entry = { credentials: provisioned.then(({ credentials }) => credentials), expiresAt: Number.POSITIVE_INFINITY };
    cached.set(deviceId, entry);
    provisioned.then(
      ({ expiresInSeconds }) => (entry.expiresAt = Date.now() + expiresInSeconds * 1_000),
      () => cached.delete(deviceId),
    );
    return entry.credentials;
  };
}
