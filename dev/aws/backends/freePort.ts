import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * A port free on 127.0.0.1, for stacks and containers that run side by side.
 *
 * Picked below the OS's ephemeral range, not handed out by it: a port from that range is the
 * next one any outgoing connection may take, and between this check and the server's own bind
 * (Postgres's, seconds later) the test files running beside it open thousands. Below the range
 * only another server can take it, and each pick is random among some twenty thousand.
 *
 * @example
 * const port = await freePort(); // 24213
 */
export async function freePort(): Promise<number> {
  const [low, high] = portsBelowEphemeralRange();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found on 127.0.0.1 between ${low} and ${high}`);
}

/** Above the well-known and registered ports most services take, below where the OS picks. */
function portsBelowEphemeralRange(): [number, number] {
  const ephemeralLow = linuxEphemeralLow() ?? 32_768;
  return [10_000, Math.max(10_001, ephemeralLow - 1)];
}

function linuxEphemeralLow(): number | undefined {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 10_001 ? low : undefined;
  } catch {
    return undefined; // Not Linux: the usual range (IANA's 49152 up, or Linux's 32768 up) is above.
  }
}

function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
