import { CognitoJwtVerifier } from "aws-jwt-verify";
import type { AuthorizerDefinition } from "./accessModel.ts";
import type { LocalUserPool } from "../cognito/userPool.ts";
import { LocalAwsError } from "../errors.ts";

/** The claims a Cognito authorizer hands the integration: every value a string, as on AWS. */
export type AuthorizerClaims = Record<string, string>;

export type AuthorizerDecision = { authorized: true; claims: AuthorizerClaims } | { authorized: false };

type Verifier = { verifySync(token: string): Record<string, unknown> };

/** Enough for every clock and person of a large site; past it the oldest result is dropped. */
const MAX_CACHED_RESULTS = 10_000;

/**
 * A COGNITO_USER_POOLS authorizer: the token from its header (raw, or after "Bearer "), verified
 * by aws-jwt-verify against the JWKS of the pools it names (loaded into the verifier, so nothing
 * goes to the network): signature, issuer, expiry and token_use. A method with authorization
 * scopes takes an access token holding at least one of them; a method without scopes takes an ID
 * token, as API Gateway does.
 *
 * Like API Gateway, it keeps a passed token's result for the authorizer's TTL (300 s by default),
 * so a client calling all day is verified once every five minutes, not on every request; a
 * result never outlives the token's own expiry. Refusals are not kept.
 *
 * @example
 * const authorize = cognitoAuthorizer(definition, pools);
 * authorize({ authorization: `Bearer ${token}` }, ["svc/write"]); // { authorized: true, claims: { client_id: "…", … } }
 */
export function cognitoAuthorizer(
  definition: AuthorizerDefinition,
  pools: readonly LocalUserPool[],
  { now = Date.now }: { now?: () => number } = {},
): (headers: Record<string, string>, scopes: readonly string[]) => AuthorizerDecision {
  const named = definition.userPoolLogicalIds.map((logicalId) => {
    const pool = pools.find((candidate) => candidate.logicalId === logicalId);
    if (!pool) throw new LocalAwsError(`${definition.logicalId} names ${logicalId}, which is not a user pool of this template`);
    return pool;
  });
  const verifiers = new Map<string, Verifier[]>();
  const verifiersFor = (scopes: readonly string[]): Verifier[] => {
    const key = scopes.join(" ");
    let found = verifiers.get(key);
    if (!found) {
      found = named.map((pool) => {
        const verifier =
          scopes.length > 0
            ? CognitoJwtVerifier.create({ userPoolId: pool.poolId, tokenUse: "access", clientId: null, scope: [...scopes] })
            : CognitoJwtVerifier.create({ userPoolId: pool.poolId, tokenUse: "id", clientId: null });
        verifier.cacheJwks(pool.jwks(), pool.poolId);
        return verifier as Verifier;
      });
      verifiers.set(key, found);
    }
    return found;
  };

  const verify = (token: string, scopes: readonly string[]): Record<string, unknown> | undefined => {
    for (const verifier of verifiersFor(scopes)) {
      try {
        // verifySync uses the cached JWKS only: a token signed by a key it lacks fails, never fetches.
        return verifier.verifySync(token);
      } catch {
        // Not this pool's token, or not valid: the next pool may have issued it.
      }
    }
    return undefined;
  };

  const passed = new Map<string, { claims: AuthorizerClaims; until: number }>();
  return (headers, scopes) => {
    const token = headers[definition.tokenHeader]?.replace(/^Bearer\s+/i, "").trim();
    if (!token) return { authorized: false };
    // Scopes are part of the key: a result kept for one method never admits a token to another.
    const key = `${scopes.join(" ")}\n${token}`;
    const at = now();
    const kept = passed.get(key);
    if (kept && kept.until > at) return { authorized: true, claims: kept.claims };
    passed.delete(key);
    const payload = verify(token, scopes);
    if (!payload) return { authorized: false };
    const claims = claimsAsApiGatewayGivesThem(payload);
    const until = Math.min(at + definition.resultTtlSeconds * 1000, Number(payload.exp) * 1000);
    if (until > at) {
      if (passed.size >= MAX_CACHED_RESULTS) passed.delete(passed.keys().next().value!);
      passed.set(key, { claims, until });
    }
    return { authorized: true, claims };
  };
}

/**
 * API Gateway passes a REST integration the token's claims as strings: arrays comma-joined
 * (`cognito:groups` "managers,staff"), times as Java's Date prints them.
 */
function claimsAsApiGatewayGivesThem(payload: Record<string, unknown>): AuthorizerClaims {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => {
      if (Array.isArray(value)) return [name, value.join(",")];
      if ((name === "exp" || name === "iat" || name === "auth_time") && typeof value === "number") return [name, javaDate(value)];
      return [name, typeof value === "string" ? value : JSON.stringify(value)];
    }),
  );
}

/** "Fri Jul 29 18:52:53 UTC 2016" */
function javaDate(epochSeconds: number): string {
  const [weekday, day, month, year, time] = new Date(epochSeconds * 1000).toUTCString().replace(",", "").split(" ");
  return `${weekday} ${month} ${day} ${time} UTC ${year}`;
}
