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
  return {
    host: required(env, "PGHOST", "the database host name"),
    port: positiveInteger(env, "PGPORT", "a TCP port such as 5432"),
    database: required(env, "PGDATABASE", "the database name"),
    user: required(env, "PGUSER", "the database user"),
    password: required(env, "PGPASSWORD", "the database password"),
  };
}

export interface ConsumerConfig {
  database: DatabaseConfig;
  deadLetterQueueUrl: string;
}

/** What a queue consumer needs; read when its container starts, so a gap fails at once. */
export function consumerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ConsumerConfig {
  return {
    database: databaseConfigFromEnv(env),
    deadLetterQueueUrl: required(env, "DEAD_LETTER_QUEUE_URL", "the URL of the dead-letter queue of the function's queue"),
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

export interface SyncConsumerConfig extends ConsumerConfig {
  /** The syncs queue's maxReceiveCount: the delivery after which SQS gives a sync to its DLQ. */
  maxReceiveCount: number;
}

export function syncConsumerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SyncConsumerConfig {
  return {
    ...consumerConfigFromEnv(env),
    maxReceiveCount: positiveInteger(env, "SYNC_MAX_RECEIVE_COUNT", "the syncs queue's maxReceiveCount, a whole number of at least 1"),
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

function positiveInteger(env: NodeJS.ProcessEnv, name: string, expected: string): number {
  const value = Number(required(env, name, expected));
  if (!Number.isInteger(value) || value < 1) throw new ConfigurationError(`${name} must be ${expected}, got "${env[name]}"`);
  return value;
}
