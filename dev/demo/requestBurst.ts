import autocannon from "autocannon";

export interface RequestBurst {
  url: string;
  /** Request bodies, sent once each in this order, POST /punches. */
  bodies: readonly string[];
  /** Each body's own headers (its clock's token and API key). */
  headers: ReadonlyArray<Record<string, string>>;
  /** Open connections, each sending one request at a time (one per clock). */
  connections: number;
  /** Every answer: its status and latency. */
  onResponse?: (statusCode: number, latencyMs: number) => void;
  /** An answer, with the place in `bodies` of the request it answers. */
  onAnswer?: (index: number, statusCode: number, body: string) => void;
}

/** Sends the burst with autocannon and resolves when every request has its answer. */
export function fireBurst({ url, bodies, headers, connections, onResponse, onAnswer }: RequestBurst): Promise<void> {
  let next = 0;
  const options: autocannon.Options = {
    url,
    connections,
    amount: bodies.length,
    timeout: 30,
    requests: [
      {
        method: "POST",
        path: "/punches",
        headers: { "content-type": "application/json" },
        setupRequest: (request, context) => {
          const index = next++ % bodies.length;
          // A connection sends one request at a time: its context names the body its answer is for.
          (context as { index?: number }).index = index;
          return { ...request, headers: { ...request.headers, ...headers[index] }, body: bodies[index]! };
        },
        onResponse: (status, body, context) => {
          const { index } = context as { index?: number };
          if (index !== undefined) onAnswer?.(index, status, body);
        },
      },
    ],
  };
  return new Promise<void>((resolve, reject) => {
    const load = autocannon(options, (error) => (error ? reject(error) : resolve()));
    load.on("response", (_client, statusCode, _bytes, responseTime) => onResponse?.(statusCode, responseTime));
  });
}
