import { LocalAwsError } from "../errors.ts";
import { addressedByIp, type Backend, type StartedBackend } from "./backend.ts";

/**
 * Endpoints that something else runs: another `npm run dev`, a CI service container, a team
 * stack. PONTO_AWS_ENDPOINT is the SQS/S3 endpoint, PONTO_DATABASE_URL a superuser connection.
 */
export function externalBackend(env: NodeJS.ProcessEnv = process.env): Backend {
  return {
    name: "external",
    description: `external endpoints: ${env.PONTO_AWS_ENDPOINT ?? "?"}, ${redacted(env.PONTO_DATABASE_URL)}`,
    async start(): Promise<StartedBackend> {
      const awsEndpoint = env.PONTO_AWS_ENDPOINT;
      const databaseUrl = env.PONTO_DATABASE_URL;
      if (!awsEndpoint || !databaseUrl) {
        throw new LocalAwsError(
          "the external backend needs PONTO_AWS_ENDPOINT (e.g. http://localhost:4566) and " +
            "PONTO_DATABASE_URL (e.g. postgres://postgres:postgres@localhost:5432/postgres)",
        );
      }
      const url = new URL(databaseUrl);
      return {
        name: "external",
        awsEndpoint: addressedByIp(awsEndpoint),
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
