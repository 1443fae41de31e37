import type { DatabaseConfig } from "../../../src/config.ts";

export type BackendName = "docker" | "embedded" | "external";

/** Infrastructure the local stack runs on: something that speaks SQS (and S3), and a Postgres. */
export interface Backend {
  readonly name: BackendName;
  /** What it will start, for the line the console prints before starting it. */
  readonly description: string;
  start(): Promise<StartedBackend>;
}

export interface StartedBackend {
  readonly name: BackendName;
  /** One endpoint for SQS and S3, as LocalStack and fauxqs both serve them; an IP address (see addressedByIp). */
  readonly awsEndpoint: string;
  /** A superuser connection to the server; the stack creates its own database on it. */
  readonly database: DatabaseConfig;
  /** Stops the database server and starts it again, for suites that prove recovery. */
  readonly databaseServer?: { stop(): Promise<void>; start(): Promise<void> };
  stop(): Promise<void>;
}

export interface BackendPorts {
  aws: number;
  database: number;
}

/**
 * The SDK's S3 client puts the bucket in the host name (`bucket.localhost`), which does not
 * resolve, unless the endpoint is an IP address: then it puts the bucket in the path, as the
 * emulators expect. So `localhost` is given as 127.0.0.1; any other host name must resolve its
 * subdomains, or be given as an address.
 */
export function addressedByIp(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.hostname === "localhost") url.hostname = "127.0.0.1";
  return url.toString().replace(/\/$/, "");
}
