import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * STS's GetCallerIdentity answer (query protocol, XML) for the local stack's account, as
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html shows it.
 *
 * @example
 * callerIdentityXml("000000000000", "r-1"); // "<GetCallerIdentityResponse …><Account>000000000000</Account>…"
 */
export function callerIdentityXml(accountId: string, requestId: string): string {
  return (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
    `<Arn>arn:aws:iam::${accountId}:root</Arn><UserId>${accountId}</UserId><Account>${accountId}</Account>` +
    `</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
  );
}

/**
 * A loopback STS that answers GetCallerIdentity with the local account, for the framework's
 * `${aws:accountId}` while it packages: a deploy resolves it to the account it deploys to, and
 * the local stack's resources (queue ARNs built with it) live in the backend's account. Any
 * other STS action is refused, so nothing else passes for STS.
 *
 * @example
 * const sts = await startCallerIdentityEndpoint("000000000000");
 * // AWS_ENDPOINT_URL_STS=sts.url for the framework, then:
 * await sts.close();
 */
export async function startCallerIdentityEndpoint(accountId: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const requestId = randomUUID();
      if (new URLSearchParams(body).get("Action") !== "GetCallerIdentity") {
        response.writeHead(400, { "content-type": "text/xml" }).end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the local STS answers GetCallerIdentity only</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
        return;
      }
      response.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": requestId }).end(callerIdentityXml(accountId, requestId));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
