import { createHash, randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { JsonStateFile } from "./jsonStateFile.ts";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import { LocalAwsError } from "../errors.ts";

/** A user pool as the template declares it: what the local pool needs to issue its tokens. */
export interface UserPoolDefinition {
  logicalId: string;
  name: string;
  /** `<identifier>/<scope name>` of each of its resource servers' scopes. */
  scopes: string[];
  groups: string[];
  /** Its app clients declared in the template (people sign in through these). */
  clients: Array<{ logicalId: string; name: string; allowedScopes: string[] }>;
  /** Minutes an access token lives; Cognito's default is 60. */
  accessTokenMinutes: number;
}

/** An app client: one per device that authenticates with client credentials. */
export interface AppClient {
  clientId: string;
  clientName: string;
  clientSecret?: string;
  /** The OAuth scopes it may ask for with client credentials. */
  allowedScopes: string[];
  /** Declared in the template, rather than created at run time. */
  fromTemplate?: boolean;
}

/** What the pool keeps across restarts, so tokens and clients handed out stay valid. */
interface PoolState {
  privateJwk: JWK;
  clients: AppClient[];
}

/** A JSON Web Key Set, as Cognito serves it at `<issuer>/.well-known/jwks.json`. */
export type Jwks = {
  keys: Array<{ kty: string; n: string; e: string; kid: string; alg: string; use: string }>;
};

/**
 * A Cognito user pool on this machine: an RSA key pair of its own (jose), the JWKS that publishes
 * its public half, app clients, and access tokens with the claim set Cognito writes, so that what
 * verifies a real pool's tokens (aws-jwt-verify, API Gateway's authorizer) verifies these. No
 * passwords: users get a token by name, which is what a local stack needs to act as one.
 */
export class LocalUserPool {
  readonly logicalId: string;
  readonly poolId: string;
  readonly region: string;
  readonly issuer: string;
  readonly arn: string;
  private readonly definition: UserPoolDefinition;
  private readonly stateFile: JsonStateFile<PoolState>;
  private state!: PoolState;
  private signingKey!: CryptoKey;
  private publicJwks!: Jwks;

  private constructor(definition: UserPoolDefinition, options: { region: string; accountId: string; stackName: string; stateDir?: string }) {
    this.definition = definition;
    this.logicalId = definition.logicalId;
    this.region = options.region;
    // Cognito's shape (<region>_<9 characters>), the same on every start of this stack, so tokens survive a restart.
    const digest = createHash("sha256").update(`${options.stackName}/${definition.logicalId}`).digest("base64url").replace(/[-_]/g, "");
    this.poolId = `${options.region}_${digest.slice(0, 9)}`;
    this.issuer = `https://cognito-idp.${options.region}.amazonaws.com/${this.poolId}`;
    this.arn = `arn:aws:cognito-idp:${options.region}:${options.accountId}:userpool/${this.poolId}`;
    this.stateFile = new JsonStateFile(options.stateDir === undefined ? undefined : join(options.stateDir, "cognito", `${this.poolId}.json`));
  }

  /**
   * The pool, with the key pair and app clients kept in `stateDir` (created on the first start)
   * or, without one, in memory for this process only.
   *
   * @example
   * const pool = await LocalUserPool.start(definition, { region: "eu-west-1", accountId, stackName: "svc-local", stateDir: ".state" });
   * const { accessToken } = await pool.clientCredentialsToken(client.clientId, client.clientSecret, ["svc/write"]);
   */
  static async start(
    definition: UserPoolDefinition,
    options: { region: string; accountId: string; stackName: string; stateDir?: string },
  ): Promise<LocalUserPool> {
    const pool = new LocalUserPool(definition, options);
    await pool.load();
    return pool;
  }

  /** The public keys, as `<issuer>/.well-known/jwks.json` serves them. */
  jwks(): Jwks {
    return this.publicJwks;
  }

  get clients(): readonly AppClient[] {
    return this.state.clients;
  }

  /**
   * Creates an app client with a secret, allowed the client-credentials flow with these scopes, as
   * provisioning does for each device; a client of that name already there is returned as it is.
   */
  async createAppClient(clientName: string, allowedScopes: readonly string[]): Promise<AppClient> {
    const existing = this.state.clients.find((client) => client.clientName === clientName);
    if (existing) return existing;
    const unknown = allowedScopes.filter((scope) => !this.definition.scopes.includes(scope));
    if (unknown.length > 0) {
      throw new LocalAwsError(`user pool ${this.logicalId} has no resource server scope ${unknown.join(", ")}; it has ${this.definition.scopes.join(", ") || "none"}`);
    }
    const client: AppClient = { clientId: cognitoClientId(), clientName, clientSecret: randomBytes(38).toString("base64url"), allowedScopes: [...allowedScopes] };
    this.state.clients.push(client);
    await this.stateFile.write(this.state);
    return client;
  }

  clientNamed(clientName: string): AppClient | undefined {
    return this.state.clients.find((client) => client.clientName === clientName);
  }

  /**
   * The token endpoint's client-credentials grant: the client's id and secret, and the scopes it
   * asks for (all it is allowed when none). Refused as Cognito refuses it: `invalid_client`,
   * `invalid_scope`.
   */
  async clientCredentialsToken(clientId: string, clientSecret: string | undefined, scopes?: readonly string[]): Promise<TokenAnswer> {
    const client = this.state.clients.find((candidate) => candidate.clientId === clientId);
    if (!client || client.clientSecret === undefined || client.clientSecret !== clientSecret) throw new TokenRequestError("invalid_client");
    const asked = scopes && scopes.length > 0 ? [...scopes] : client.allowedScopes;
    if (asked.length === 0 || asked.some((scope) => !client.allowedScopes.includes(scope))) throw new TokenRequestError("invalid_scope");
    return this.sign({ sub: client.clientId, client_id: client.clientId, scope: asked.join(" ") });
  }

  /**
   * An access token as a user's sign-in gets it (scope `aws.cognito.signin.user.admin`, their
   * `username` and `cognito:groups`), issued by name: the local stand-in for SRP or the hosted UI.
   * The app client is the template's client of that name, or its first one.
   */
  async userToken(username: string, groups: readonly string[] = [], clientName?: string): Promise<TokenAnswer> {
    const unknown = groups.filter((group) => !this.definition.groups.includes(group));
    if (unknown.length > 0) throw new TokenRequestError("invalid_request", `user pool ${this.logicalId} has no group ${unknown.join(", ")}`);
    const client = this.state.clients.find((candidate) => candidate.fromTemplate && (clientName === undefined || candidate.clientName === clientName));
    if (!client) throw new TokenRequestError("invalid_client", `user pool ${this.logicalId} has no app client ${clientName ?? "in the template"} for people to sign in with`);
    return this.sign({
      // Cognito's sub is the user's own UUID; a stable one per name keeps tokens of one user alike.
      sub: uuidOf(`${this.poolId}/${username}`),
      ...(groups.length > 0 && { "cognito:groups": [...groups] }),
      client_id: client.clientId,
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      scope: "aws.cognito.signin.user.admin",
      auth_time: Math.floor(Date.now() / 1000),
      username,
    });
  }

  private async sign(claims: Record<string, unknown>): Promise<TokenAnswer> {
    const expiresIn = this.definition.accessTokenMinutes * 60;
    const accessToken = await new SignJWT({ ...claims, token_use: "access", version: 2 })
      .setProtectedHeader({ alg: "RS256", kid: this.publicJwks.keys[0]!.kid })
      .setIssuer(this.issuer)
      .setIssuedAt()
      .setExpirationTime(`${expiresIn}s`)
      .setJti(randomUUID())
      .sign(this.signingKey);
    return { access_token: accessToken, token_type: "Bearer", expires_in: expiresIn };
  }

  private async load(): Promise<void> {
    const stored = await this.stateFile.read();
    let state = stored;
    if (!state) {
      const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
      state = { privateJwk: await exportJWK(privateKey), clients: [] };
    }
    // The template's clients take the ids they had; new ones get theirs now.
    for (const declared of this.definition.clients) {
      const known = state.clients.find((client) => client.fromTemplate && client.clientName === declared.name);
      if (!known) state.clients.push({ clientId: cognitoClientId(), clientName: declared.name, allowedScopes: declared.allowedScopes, fromTemplate: true });
    }
    this.state = state;
    this.signingKey = (await importJWK(state.privateJwk, "RS256")) as CryptoKey;
    const { kty, n, e } = state.privateJwk;
    const kid = createHash("sha256").update(`${n}`).digest("base64url").slice(0, 43);
    this.publicJwks = { keys: [{ kty: kty!, n: n!, e: e!, kid, alg: "RS256", use: "sig" }] };
    if (!stored || stored.clients.length !== state.clients.length) await this.stateFile.write(this.state);
  }

}

/** The token endpoint's answer (RFC 6749 §5.1), as Cognito gives it. */
export interface TokenAnswer {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
}

/** A refused token request, with the OAuth error code Cognito's token endpoint answers. */
export class TokenRequestError extends Error {
  override name = "TokenRequestError";
  readonly code: "invalid_client" | "invalid_scope" | "invalid_request" | "unsupported_grant_type";
  constructor(code: TokenRequestError["code"], message: string = code) {
    super(message);
    this.code = code;
  }
}

/** Cognito app client ids: 26 lower-case letters and digits. */
function cognitoClientId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(26), (byte) => alphabet[byte % alphabet.length]).join("");
}

function uuidOf(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
