/**
 * A server that does no work: it reads each request's body and answers 202 with a body the
 * size of the local API Gateway's (a message id and a correlation id). Under the bench's load it
 * shows how many requests a second Node's HTTP server and the load generator alone reach on this
 * machine: the ceiling the ingest figure is read against. `node dev/demo/nullApi.ts` prints
 * `listening on <port>`.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

const server = createServer((request, response) => {
  request.resume();
  request.once("end", () => {
    const requestId = randomUUID();
    response.writeHead(202, { "content-type": "application/json", "x-amzn-requestid": requestId });
    response.end(JSON.stringify({ messageId: randomUUID(), correlationId: requestId }));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening on ${typeof address === "object" && address ? address.port : "?"}`);
});
process.once("SIGINT", () => server.close(() => process.exit(0)).closeAllConnections());
