/** Thrown at start when the environment lacks a setting; the message names the variable. */
export class ConfigurationError extends Error {
  override name = "ConfigurationError";
}

export interface DatabaseConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/**
 * The database connection, from the libpq variables that serverless.yml sets on every function
 * (on AWS from stage params and Secrets Manager; locally from the backend the dev stack started).
 */
export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const port = Number(required(env, "PGPORT", "a TCP port such as 5432"));
  if (!Number.isInteger(port) || port <= 0) {
    throw new ConfigurationError(`PGPORT must be a TCP port such as 5432, got "${env.PGPORT}"`);
  }
  return {
    host: required(env, "PGHOST", "the database host name"),
    port,
    database: required(env, "PGDATABASE", "the database name"),
    user: required(env, "PGUSER", "the database user"),
    password: required(env, "PGPASSWORD", "the database password"),
  };
}

export interface ConsumerConfig {
  database: DatabaseConfig;
  deadLetterQueueUrl: string;
}

/** What the punches consumer needs; read when its container starts, so a gap fails at once. */
export function consumerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ConsumerConfig {
  return {
    database: databaseConfigFromEnv(env),
    deadLetterQueueUrl: required(env, "DEAD_LETTER_QUEUE_URL", "the URL of the punches dead-letter queue"),
  };
}

function required(env: NodeJS.ProcessEnv, name: string, expected: string): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new ConfigurationError(`${name} is not set: expected ${expected}`);
  }
  return value;
}
