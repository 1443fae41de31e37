import { generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
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
const authorize = cognitoAuthorizer({ logicalId: "Authorizer", tokenHeader: "authorization", userPoolLogicalIds: ["Pool"] }, [pool]);
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
    const expiring = cognitoAuthorizer({ logicalId: "A", tokenHeader: "authorization", userPoolLogicalIds: ["Pool"] }, [shortLived]);
    const { access_token } = await shortLived.userToken("e-1");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(expiring(bearer(access_token), ["aws.cognito.signin.user.admin"]).authorized).toBe(false);
  });
});
