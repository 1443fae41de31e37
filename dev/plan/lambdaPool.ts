/** A function as the Lambda pool knows it. */
export interface PooledFunction {
  name: string;
  reservedConcurrency?: number;
  /** Each execution environment holds one database connection, opened at its cold start. */
  usesDatabase: boolean;
}

export interface LambdaPoolSettings {
  /** The account's concurrency in the Region: 1,000 unless raised. */
  accountConcurrency: number;
  /** The database's connection cap (Postgres's own default max_connections is 100). */
  databaseMaxConnections: number;
  /** How long an idle execution environment is kept before Lambda reclaims it (AWS publishes no figure). */
  environmentIdleMs: number;
}

interface FunctionState {
  running: number;
  peakRunning: number;
  /** Idle environments, by when each was last used. */
  idle: number[];
  environments: number;
  throttles: number;
  coldStarts: number;
}

export type StartOutcome = { started: true; coldStart: boolean } | { started: false; reason: "throttled" | "database connections" };

/**
 * Lambda's concurrency for the simulated functions: each function within its reserved
 * concurrency, the others sharing what the account has left, and each new execution environment
 * of a database function opening a connection, refused past the database's cap.
 */
export class LambdaPool {
  readonly #settings: LambdaPoolSettings;
  readonly #functions = new Map<string, { definition: PooledFunction; state: FunctionState }>();
  #unreservedRunning = 0;
  #connections = 0;
  peakConnections = 0;
  refusedConnections = 0;

  constructor(settings: LambdaPoolSettings, functions: readonly PooledFunction[]) {
    this.#settings = settings;
    for (const definition of functions) {
      this.#functions.set(definition.name, { definition, state: { running: 0, peakRunning: 0, idle: [], environments: 0, throttles: 0, coldStarts: 0 } });
    }
  }

  get connections(): number {
    return this.#connections;
  }

  /** What the functions without reserved concurrency share: the account's concurrency less every reservation. */
  get #unreservedLimit(): number {
    let reserved = 0;
    for (const { definition } of this.#functions.values()) reserved += definition.reservedConcurrency ?? 0;
    return this.#settings.accountConcurrency - reserved;
  }

  start(name: string, now: number): StartOutcome {
    const { definition, state } = this.#of(name);
    const reserved = definition.reservedConcurrency;
    const atLimit = reserved !== undefined ? state.running >= reserved : this.#unreservedRunning >= this.#unreservedLimit;
    if (atLimit) {
      state.throttles += 1;
      return { started: false, reason: "throttled" };
    }
    this.#reclaimIdle(now);
    const coldStart = state.idle.length === 0;
    if (coldStart) {
      if (definition.usesDatabase && this.#connections >= this.#settings.databaseMaxConnections) {
        this.refusedConnections += 1;
        return { started: false, reason: "database connections" };
      }
      state.environments += 1;
      state.coldStarts += 1;
      if (definition.usesDatabase) this.#connections += 1;
      this.peakConnections = Math.max(this.peakConnections, this.#connections);
    } else {
      state.idle.pop();
    }
    state.running += 1;
    state.peakRunning = Math.max(state.peakRunning, state.running);
    if (reserved === undefined) this.#unreservedRunning += 1;
    return { started: true, coldStart };
  }

  finish(name: string, now: number): void {
    const { definition, state } = this.#of(name);
    state.running -= 1;
    state.idle.push(now);
    if (definition.reservedConcurrency === undefined) this.#unreservedRunning -= 1;
  }

  running(name: string): number {
    return this.#of(name).state.running;
  }

  stats(name: string): { peakConcurrency: number; throttles: number; coldStarts: number; environments: number } {
    const { state } = this.#of(name);
    return { peakConcurrency: state.peakRunning, throttles: state.throttles, coldStarts: state.coldStarts, environments: state.environments };
  }

  /** Environments idle past the keep time are gone, and their connections with them. */
  #reclaimIdle(now: number): void {
    for (const { definition, state } of this.#functions.values()) {
      // The least recently used are at the front: finish pushes, start pops the most recent.
      while (state.idle.length > 0 && now - state.idle[0]! > this.#settings.environmentIdleMs) {
        state.idle.shift();
        state.environments -= 1;
        if (definition.usesDatabase) this.#connections -= 1;
      }
    }
  }

  /** Called on each sample, so connections fall while nothing starts. */
  tick(now: number): void {
    this.#reclaimIdle(now);
  }

  #of(name: string) {
    const entry = this.#functions.get(name);
    if (!entry) throw new Error(`no function ${name} in the plan`);
    return entry;
  }
}
