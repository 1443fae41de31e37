import { createServer } from "node:net";
import { LocalAwsError } from "../aws/errors.ts";

/** Fails before anything starts if a port the stack needs is taken, naming it and what needs it. */
export async function assertPortsFree(ports: Array<{ port: number; purpose: string; flag: string }>): Promise<void> {
  for (const { port, purpose, flag } of ports) {
    if (!(await isFree(port))) {
      throw new LocalAwsError(
        `port ${port} (${purpose}) is taken: is another \`npm run dev\` running? Stop it, or pass ${flag} <port>`,
      );
    }
  }
}

/** A port the OS just handed out, for suites that run stacks side by side. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("the OS gave no port");
  return address.port;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
