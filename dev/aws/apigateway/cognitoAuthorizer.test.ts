import { generateKeyPair, SignJWT } from "jose";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { describe, expect, it, vi } from "vitest";
import { LocalUserPool } from "../cognito/userPool.ts";
import { cognitoAuthorizer } from "./cognitoAuthorizer.ts";

const definition = {
  logicalId: "Pool",
  name: "pool",
  scopes: ["svc/write"],
  groups: ["admins"],
  clients: [{ logicalId: "WebClient", name: "web", allowedScopes: [] }],
  accessTokenMinutes: 60,
};
const pool = await LocalUserPool.start(definition, { region: "eu-west-1", accountId: "000000000000", stackName: "svc-test" });
const authorizer = { logicalId: "Authorizer", tokenHeader: "authorization", userPoolLogicalIds: ["Pool"], resultTtlSeconds: 300 };
const authorize = cognitoAuthorizer(authorizer, [pool]);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("a Cognito user pool authorizer", () => {
  it("passes a client-credentials token with the method's scope, its claims as strings", async () => {
    const client = await pool.createAppClient("device-1", ["svc/write"]);
    const { access_token } = await pool.clientCredentialsToken(client.clientId, client.clientSecret, ["svc/write"]);
    const decision = authorize(bearer(access_token), ["svc/write"]);
    expect(decision).toMatchObject({ authorized: true, claims: { client_id: client.clientId, scope: "svc/write", token_use: "access", iss: pool.issuer } });
    expect(authorize({ authorization: access_token }, ["svc/write"]).authorized).toBe(true);
  });

  it("hands a user's groups over comma-joined, as API Gateway does", async () => {
    const { access_token } = await pool.userToken("e-1", ["admins"]);
    expect(authorize(bearer(access_token), ["aws.cognito.signin.user.admin"])).toMatchObject({ authorized: true, claims: { username: "e-1", "cognito:groups": "admins" } });
  });

  it("refuses a token without the method's scope, an access token where an ID token is due, an expired or forged one", async () => {
    const { access_token: userToken } = await pool.userToken("e-1");
    expect(authorize(bearer(userToken), ["svc/write"]).authorized).toBe(false);
    expect(authorize(bearer(userToken), []).authorized).toBe(false);
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT({ token_use: "access", client_id: "x", scope: "svc/write" })
      .setProtectedHeader({ alg: "RS256", kid: pool.jwks().keys[0]!.kid })
      .setIssuer(pool.issuer)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
    expect(authorize(bearer(forged), ["svc/write"]).authorized).toBe(false);
    expect(authorize({}, ["svc/write"]).authorized).toBe(false);
    expect(authorize(bearer("not.a.jwt"), ["svc/write"]).authorized).toBe(false);
  });

  it("refuses a token of this pool once it has expired", async () => {
    const shortLived = await LocalUserPool.start({ ...definition, accessTokenMinutes: 0 }, { region: "eu-west-1", accountId: "000000000000", stackName: "svc-expiry" });
    const expiring = cognitoAuthorizer(authorizer, [shortLived]);
    const { access_token } = await shortLived.userToken("e-1");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(expiring(bearer(access_token), ["aws.cognito.signin.user.admin"]).authorized).toBe(false);
  });

  it("keeps a passed token's result for the TTL, per set of scopes, never past the token's expiry", async () => {
    let clock = Date.now();
    const verifications = vi.spyOn(CognitoJwtVerifier.prototype, "verifySync");
    try {
      const cached = cognitoAuthorizer(authorizer, [pool], { now: () => clock });
      const { access_token } = await pool.userToken("e-1");
      const userScopes = ["aws.cognito.signin.user.admin"];
      const exp = JSON.parse(Buffer.from(access_token.split(".")[1]!, "base64url").toString()).exp as number;

      expect(cached(bearer(access_token), userScopes).authorized).toBe(true);
      expect(cached(bearer(access_token), userScopes).authorized).toBe(true);
      expect(verifications).toHaveBeenCalledTimes(1);
      expect(cached(bearer(access_token), ["svc/write"]).authorized).toBe(false);
      expect(verifications).toHaveBeenCalledTimes(2);

      clock += 300_001;
      expect(cached(bearer(access_token), userScopes).authorized).toBe(true);
      expect(verifications).toHaveBeenCalledTimes(3);

      // The result kept at 300 s would reach past exp: it ends there, and the token is verified again.
      clock = exp * 1000 - 100_000;
      cached(bearer(access_token), userScopes);
      const before = verifications.mock.calls.length;
      clock = exp * 1000;
      cached(bearer(access_token), userScopes);
      expect(verifications).toHaveBeenCalledTimes(before + 1);

      const uncached = cognitoAuthorizer({ ...authorizer, resultTtlSeconds: 0 }, [pool]);
      verifications.mockClear();
      uncached(bearer(access_token), userScopes);
      uncached(bearer(access_token), userScopes);
      expect(verifications).toHaveBeenCalledTimes(2);
    } finally {
      verifications.mockRestore();
    }
  });
});
