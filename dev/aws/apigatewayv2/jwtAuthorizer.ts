import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";
import type { JwtAuthorization } from "./httpApiTypes.ts";

export interface JwtAuthorizerSettings {
  issuer: string;
  audience: readonly string[];
  /** "$request.header.Authorization" */
  identitySource: readonly string[];
  /** The issuer's keys; undefined when the issuer is not a local user pool, so no token passes. */
  jwks: JSONWebKeySet | undefined;
}

export type JwtDecision = { outcome: "authorized"; jwt: JwtAuthorization } | { outcome: "unauthorized" } | { outcome: "forbidden" };

/**
 * An HTTP API JWT authorizer, with the checks "Control access to HTTP APIs with JWT authorizers"
 * lists: the token from the identity source (a `Bearer ` prefix dropped), signed by a key of the
 * issuer's JWKS with RS256, `iss` the issuer, `aud` one of the audience (or, only when the token
 * has no `aud`, `client_id`), `exp`, `nbf` and `iat` against the clock (jose's jwtVerify), then
 * the route's scopes: the token's `scope` or `scp` must hold one of them. A missing or invalid
 * token is 401, missing scopes 403.
 *
 * @example
 * const authorize = jwtAuthorizer({ issuer, audience: [clientId], identitySource: ["$request.header.Authorization"], jwks: pool.jwks() });
 * await authorize({ authorization: `Bearer ${token}` }, []); // { outcome: "authorized", jwt: { claims: {…}, scopes: null } }
 */
export function jwtAuthorizer(settings: JwtAuthorizerSettings): (headers: Record<string, string>, routeScopes: readonly string[]) => Promise<JwtDecision> {
  const keys = settings.jwks && createLocalJWKSet(settings.jwks);
  const headerNames = settings.identitySource.map((source) => /^\$request\.header\.(.+)$/i.exec(source)?.[1]?.toLowerCase());
  return async (headers, routeScopes) => {
    if (headerNames.some((name) => name === undefined || !headers[name])) return { outcome: "unauthorized" };
    const token = headers[headerNames[0]!]!.replace(/^Bearer\s+/i, "").trim();
    if (!keys) return { outcome: "unauthorized" };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, { issuer: settings.issuer, algorithms: ["RS256"] }));
    } catch {
      return { outcome: "unauthorized" };
    }
    const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
    if (!audiences.some((audience) => typeof audience === "string" && settings.audience.includes(audience))) return { outcome: "unauthorized" };
    const tokenScopes = scopesOf(payload);
    if (routeScopes.length > 0 && !routeScopes.some((scope) => tokenScopes.includes(scope))) return { outcome: "forbidden" };
    return { outcome: "authorized", jwt: { claims: claimsAsHttpApisGiveThem(payload), scopes: routeScopes.length > 0 ? tokenScopes : null } };
  };
}

function scopesOf(payload: JWTPayload): string[] {
  const scopes = payload.scope ?? payload.scp;
  if (Array.isArray(scopes)) return scopes.map(String);
  return typeof scopes === "string" ? scopes.split(" ").filter(Boolean) : [];
}

/**
 * Claims as an HTTP API passes them: every value a string, numbers as their digits, arrays as
 * "[a b]", null ones left out (events recorded on AWS: floci-io/floci#2011,
 * aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock#803,
 * DefinitelyTyped/DefinitelyTyped#75458, which also shows `scopes: null` on a route without scopes).
 */
function claimsAsHttpApisGiveThem(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).filter(([, value]) => value !== null && value !== undefined).map(([name, value]) => {
      if (Array.isArray(value)) return [name, `[${value.map(String).join(" ")}]`];
      return [name, typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value)];
    }),
  );
}
