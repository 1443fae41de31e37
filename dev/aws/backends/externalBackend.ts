import { LocalAwsError } from "../errors.ts";
import { addressedByIp, EMULATOR_ACCOUNT, type Backend, type StartedBackend } from "./backend.ts";

export interface ExternalEndpoints {
  /** The SQS/S3 endpoint, e.g. http://localhost:4566. */
  awsEndpoint?: string;
  /** A superuser connection, e.g. postgres://postgres:postgres@localhost:5432/postgres. */
  databaseUrl?: string;
  /** Names the settings in the error when one is missing: how the user gives them. */
  settingNames?: { awsEndpoint: string; databaseUrl: string };
}

/**
 * Endpoints that something else runs: another local stack, a CI service container, a team stack.
 *
 * @example
 * await externalBackend({ awsEndpoint: "http://localhost:4566", databaseUrl: "postgres://postgres:postgres@localhost/postgres" }).start();
 */
export function externalBackend(endpoints: ExternalEndpoints): Backend {
  const names = endpoints.settingNames ?? { awsEndpoint: "awsEndpoint", databaseUrl: "databaseUrl" };
  return {
    name: "external",
    description: `external endpoints: ${endpoints.awsEndpoint ?? "?"}, ${redacted(endpoints.databaseUrl)}`,
    async start(): Promise<StartedBackend> {
      const { awsEndpoint, databaseUrl } = endpoints;
      if (!awsEndpoint || !databaseUrl) {
        throw new LocalAwsError(
          `the external backend needs ${names.awsEndpoint} (e.g. http://localhost:4566) and ` +
            `${names.databaseUrl} (e.g. postgres://postgres:postgres@localhost:5432/postgres)`,
        );
      }
      const url = new URL(databaseUrl);
      return {
        name: "external",
        awsEndpoint: addressedByIp(awsEndpoint),
        ...EMULATOR_ACCOUNT,
        database: {
          host: url.hostname,
          port: Number(url.port || 5432),
          database: url.pathname.slice(1) || "postgres",
          user: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
        },
        async stop() {},
      };
    },
  };
}

function redacted(databaseUrl: string | undefined): string {
  if (!databaseUrl) return "?";
  const url = new URL(databaseUrl);
  url.password = url.password ? "***" : "";
  return url.toString();
}
