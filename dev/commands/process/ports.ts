import { createServer } from "node:net";
import { CommandError } from "../commandError.ts";

/** Fails before anything starts if a port the stack needs is taken, naming it and what needs it. */
export async function assertPortsFree(ports: Array<{ port: number; purpose: string; flag: string }>): Promise<void> {
  for (const { port, purpose, flag } of ports) {
    if (!(await portIsFree(port))) {
      throw new CommandError(
        `port ${port} (${purpose}) is taken: is another \`npm run dev\` running? Stop it, or pass ${flag} <port>`,
      );
    }
  }
}

/** Whether a listener could bind the port on the loopback now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
