import type { DatabaseConfig } from "../../src/config.ts";

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
  /** One endpoint for SQS and S3, as LocalStack and fauxqs both serve them. */
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
