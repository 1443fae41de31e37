import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { LocalUserPool } from "../cognito/userPool.ts";
import { jwtAuthorizer } from "./jwtAuthorizer.ts";

const pool = await LocalUserPool.start(
  { logicalId: "Pool", name: "pool", scopes: ["entries/write"], groups: ["managers", "staff"], clients: [{ logicalId: "WebClient", name: "web", allowedScopes: [] }], accessTokenMinutes: 60 },
  { region: "eu-west-1", accountId: "000000000000", stackName: "svc-test" },
);
const webClientId = pool.clientNamed("web")!.clientId;
const identitySource = ["$request.header.Authorization"];
const authorize = jwtAuthorizer({ issuer: pool.issuer, audience: [webClientId], identitySource, jwks: pool.jwks() });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

// The checks of "Control access to HTTP APIs with JWT authorizers in API Gateway".
describe("an HTTP API JWT authorizer on a local user pool", () => {
  it("lets a pool's token through by issuer and client_id (Cognito access tokens carry no aud), claims as strings, arrays as [a b]", async () => {
    const { access_token } = await pool.userToken("ada", ["managers", "staff"]);
    const decision = await authorize(bearer(access_token), []);
    expect(decision).toMatchObject({
      outcome: "authorized",
      jwt: { claims: { username: "ada", client_id: webClientId, iss: pool.issuer, "cognito:groups": "[managers staff]", exp: expect.stringMatching(/^\d+$/) }, scopes: null },
    });
    expect((await authorize({ authorization: access_token }, [])).outcome).toBe("authorized");
  });

  it("leaves a null claim out, as AWS does", async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    const ownIssuer = jwtAuthorizer({ issuer: "https://issuer.example.com", audience: ["app"], identitySource, jwks: { keys: [jwk] } });
    const token = await new SignJWT({ aud: "app", nickname: null, admin: true }).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuer("https://issuer.example.com").setExpirationTime("5m").sign(privateKey);
    const decision = await ownIssuer(bearer(token), []);
    expect(decision).toMatchObject({ outcome: "authorized", jwt: { claims: { aud: "app", admin: "true" } } });
    expect(decision.outcome === "authorized" && "nickname" in decision.jwt.claims).toBe(false);
  });

  it("refuses 401 a token for another audience, from another issuer, signed by another key, or none at all", async () => {
    const client = await pool.createAppClient("device-1", ["entries/write"]);
    const { access_token: otherClient } = await pool.clientCredentialsToken(client.clientId, client.clientSecret, ["entries/write"]);
    expect(await authorize(bearer(otherClient), [])).toEqual({ outcome: "unauthorized" });
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT({ client_id: webClientId }).setProtectedHeader({ alg: "RS256", kid: pool.jwks().keys[0]!.kid }).setIssuer(pool.issuer).setExpirationTime("1h").sign(privateKey);
    expect(await authorize(bearer(forged), [])).toEqual({ outcome: "unauthorized" });
    const elsewhere = jwtAuthorizer({ issuer: "https://issuer.example.com", audience: [webClientId], identitySource, jwks: pool.jwks() });
    const { access_token } = await pool.userToken("ada");
    expect(await elsewhere(bearer(access_token), [])).toEqual({ outcome: "unauthorized" });
    expect(await authorize({}, [])).toEqual({ outcome: "unauthorized" });
  });

  it("refuses 401 every token of an issuer whose keys it has not", async () => {
    const keyless = jwtAuthorizer({ issuer: pool.issuer, audience: [webClientId], identitySource, jwks: undefined });
    expect(await keyless(bearer((await pool.userToken("ada")).access_token), [])).toEqual({ outcome: "unauthorized" });
  });

  it("refuses 403 a valid token without one of the route's scopes, and hands the token's scopes on a route that asks for some", async () => {
    const client = await pool.createAppClient("device-2", ["entries/write"]);
    const scoped = jwtAuthorizer({ issuer: pool.issuer, audience: [client.clientId], identitySource, jwks: pool.jwks() });
    const { access_token } = await pool.clientCredentialsToken(client.clientId, client.clientSecret, ["entries/write"]);
    expect(await scoped(bearer(access_token), ["entries/read"])).toEqual({ outcome: "forbidden" });
    expect(await scoped(bearer(access_token), ["entries/read", "entries/write"])).toMatchObject({ outcome: "authorized", jwt: { scopes: ["entries/write"] } });
  });
});
