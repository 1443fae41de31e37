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

export interface SyncIntakeConfig {
  bucket: string;
  queueUrl: string;
}

/** What POST /punches/batches needs: where backlogs go, and where their claim checks go. */
export function syncIntakeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SyncIntakeConfig {
  return {
    bucket: required(env, "SYNC_BUCKET", "the name of the sync bucket"),
    queueUrl: required(env, "SYNCS_QUEUE_URL", "the URL of the syncs queue"),
  };
}

export interface SyncConsumerConfig {
  database: DatabaseConfig;
  deadLetterQueueUrl: string;
  /** The syncs queue's maxReceiveCount: the delivery after which SQS gives a sync to its DLQ. */
  maxReceiveCount: number;
}

export function syncConsumerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SyncConsumerConfig {
  const maxReceiveCount = Number(required(env, "SYNC_MAX_RECEIVE_COUNT", "the syncs queue's maxReceiveCount"));
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) {
    throw new ConfigurationError(`SYNC_MAX_RECEIVE_COUNT must be a whole number of at least 1, got "${env.SYNC_MAX_RECEIVE_COUNT}"`);
  }
  return {
    database: databaseConfigFromEnv(env),
    deadLetterQueueUrl: required(env, "DEAD_LETTER_QUEUE_URL", "the URL of the syncs dead-letter queue"),
    maxReceiveCount,
  };
}

export interface SyncStatusConfig {
  database: DatabaseConfig;
  bucket: string;
}

export function syncStatusConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SyncStatusConfig {
  return { database: databaseConfigFromEnv(env), bucket: required(env, "SYNC_BUCKET", "the name of the sync bucket") };
}

function required(env: NodeJS.ProcessEnv, name: string, expected: string): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new ConfigurationError(`${name} is not set: expected ${expected}`);
  }
  return value;
}
