export type BackendName = "docker" | "embedded" | "external";

/** A connection to a Postgres server, in the shape `pg` takes. */
export interface DatabaseServer {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/** Credentials as the AWS SDK takes them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * The account every emulator here answers for. LocalStack and fauxqs accept any credentials and
 * name resources with this account id; one definition keeps clients, ARNs and queue URLs agreeing.
 */
export const EMULATOR_ACCOUNT: { readonly accountId: string; readonly credentials: AwsCredentials } = {
  accountId: "000000000000",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
};

/** Infrastructure the local AWS runs on: something that speaks SQS (and S3), and a Postgres. */
export interface Backend {
  readonly name: BackendName;
  /** What it will start, for the line the console prints before starting it. */
  readonly description: string;
  start(): Promise<StartedBackend>;
}

/** A running backend: where its services answer, and how to stop them. */
export interface StartedBackend {
  readonly name: BackendName;
  /** One endpoint for SQS and S3, as LocalStack and fauxqs both serve them; an IP address (see addressedByIp). */
  readonly awsEndpoint: string;
  readonly accountId: string;
  readonly credentials: AwsCredentials;
  /** A superuser connection to the server; applications create their own databases on it. */
  readonly database: DatabaseServer;
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
 *
 * @example
 * addressedByIp("http://localhost:4566/"); // "http://127.0.0.1:4566"
 */
export function addressedByIp(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.hostname === "localhost") url.hostname = "127.0.0.1";
  return url.toString().replace(/\/$/, "");
}
