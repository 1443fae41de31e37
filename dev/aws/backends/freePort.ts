import { createServer } from "node:net";

/**
 * A port the OS just handed out on 127.0.0.1, for stacks and containers that run side by side.
 *
 * @example
 * const port = await freePort(); // 40213
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("the OS gave no port");
  return address.port;
}
