import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { JsonStateFile } from "../cognito/jsonStateFile.ts";
import type { ApiKeyDefinition, UsagePlanDefinition } from "./accessModel.ts";
import { LocalAwsError } from "../errors.ts";
import { refill } from "./tokenBucket.ts";

/** An API key as the local API Gateway knows it: from the template, or created since. */
export interface ApiKey {
  id: string;
  name: string;
  value: string;
  enabled: boolean;
  /** Logical ids of the usage plans it belongs to; AWS allows one per API stage, the first counts. */
  usagePlans: string[];
}

/** Why API Gateway refuses a request at the key check, as its gateway response types name it. */
export type KeyRefusal = "INVALID_API_KEY" | "THROTTLED" | "QUOTA_EXCEEDED";

/** Each key's meters: a token bucket and the requests counted in the current quota period. */
interface KeyMeter {
  tokens: number;
  refilledAt: number;
  quotaPeriodStart: number;
  quotaUsed: number;
}

/**
 * The API keys and usage plans of the API. API keys meter, they do not authenticate (AWS's own
 * words): a method with ApiKeyRequired takes a request whose x-api-key is a known, enabled key,
 * then holds that key to its plan: a bucket of `burstLimit` tokens refilled at `rateLimit` a
 * second (over it, THROTTLED), and `quota.limit` requests a DAY, WEEK or MONTH in UTC (over it,
 * QUOTA_EXCEEDED). Keys are kept in `stateDir` so their values survive a restart; the meters are
 * not, so a restart starts every key with a full bucket and a fresh quota.
 */
export class UsagePlans {
  private readonly keys: ApiKey[];
  /** Keys by value: every request looks its key up, and a shift change brings hundreds of clocks. */
  private readonly keysByValue: Map<string, ApiKey>;
  private readonly plans: Map<string, UsagePlanDefinition>;
  private readonly meters = new Map<string, KeyMeter>();
  private readonly stateFile: JsonStateFile<ApiKey[]>;

  private constructor(plans: readonly UsagePlanDefinition[], keys: ApiKey[], stateFile: JsonStateFile<ApiKey[]>) {
    this.plans = new Map(plans.map((plan) => [plan.logicalId, plan]));
    this.keys = keys;
    this.keysByValue = new Map(keys.map((key) => [key.value, key]));
    this.stateFile = stateFile;
  }

  /**
   * The template's plans and keys; a key the template gives no value gets a generated one, kept
   * (with the keys created later) in `<stateDir>/apigateway/api-keys.json` when a folder is given.
   *
   * @example
   * const usage = await UsagePlans.start(access.usagePlans, access.apiKeys, { stateDir: ".state" });
   * const key = await usage.createKey("clock-7", ["ApiGatewayUsagePlan"]);
   * usage.admit(key.value, Date.now()); // { admitted: true, key }
   */
  static async start(
    plans: readonly UsagePlanDefinition[],
    declared: readonly ApiKeyDefinition[],
    options: { stateDir?: string } = {},
  ): Promise<UsagePlans> {
    const stateFile = new JsonStateFile<ApiKey[]>(options.stateDir === undefined ? undefined : join(options.stateDir, "apigateway", "api-keys.json"));
    const stored = (await stateFile.read()) ?? [];
    const fromTemplate = declared.map((definition): ApiKey => {
      const kept = stored.find((key) => key.id === definition.logicalId);
      return {
        id: definition.logicalId,
        name: definition.name,
        value: definition.value ?? kept?.value ?? generatedKeyValue(),
        enabled: definition.enabled,
        usagePlans: definition.usagePlanLogicalIds,
      };
    });
    const created = stored.filter((key) => !declared.some((definition) => definition.logicalId === key.id));
    const usage = new UsagePlans(plans, [...fromTemplate, ...created], stateFile);
    await stateFile.write(usage.keys);
    return usage;
  }

  get apiKeys(): readonly ApiKey[] {
    return this.keys;
  }

  get usagePlans(): readonly UsagePlanDefinition[] {
    return [...this.plans.values()];
  }

  /**
   * Creates an enabled key in these plans (all of the API's when none are named), as
   * `aws apigateway create-api-key` and `create-usage-plan-key` do; a key of that name already
   * there is returned as it is.
   */
  async createKey(name: string, usagePlans: readonly string[] = [...this.plans.keys()]): Promise<ApiKey> {
    const existing = this.keys.find((key) => key.name === name);
    if (existing) return existing;
    const unknown = usagePlans.filter((plan) => !this.plans.has(plan));
    if (unknown.length > 0) throw new LocalAwsError(`no usage plan ${unknown.join(", ")}; the template has ${[...this.plans.keys()].join(", ") || "none"}`);
    const key: ApiKey = { id: `local-${randomBytes(5).toString("hex")}`, name, value: generatedKeyValue(), enabled: true, usagePlans: [...usagePlans] };
    this.keys.push(key);
    this.keysByValue.set(key.value, key);
    await this.stateFile.write(this.keys);
    return key;
  }

  /**
   * The key check of a method with ApiKeyRequired. A refused request uses none of the key's
   * quota; a throttled one none of its quota either, since API Gateway counts what it lets through.
   */
  admit(value: string | undefined, now: number): { admitted: true; key: ApiKey } | { admitted: false; refusal: KeyRefusal } {
    const key = value === undefined ? undefined : this.keysByValue.get(value);
    // A key in no plan of this stage is refused as an unknown one.
    const plan = key?.enabled ? key.usagePlans.map((id) => this.plans.get(id)).find((found) => found !== undefined) : undefined;
    if (!key || !plan) return { admitted: false, refusal: "INVALID_API_KEY" };
    const meter = this.meterOf(key, plan, now);
    if (plan.quota && meter.quotaUsed >= plan.quota.limit) return { admitted: false, refusal: "QUOTA_EXCEEDED" };
    if (plan.throttle) {
      if (meter.tokens < 1) return { admitted: false, refusal: "THROTTLED" };
      meter.tokens -= 1;
    }
    meter.quotaUsed += 1;
    return { admitted: true, key };
  }

  private meterOf(key: ApiKey, plan: UsagePlanDefinition, now: number): KeyMeter {
    const burst = plan.throttle?.burstLimit ?? 0;
    const periodStart = plan.quota ? quotaPeriodStart(plan.quota, now) : 0;
    let meter = this.meters.get(key.id);
    if (!meter) {
      meter = { tokens: burst, refilledAt: now, quotaPeriodStart: periodStart, quotaUsed: 0 };
      this.meters.set(key.id, meter);
    }
    if (plan.throttle) {
      refill(meter, plan.throttle, now);
    }
    if (meter.quotaPeriodStart !== periodStart) {
      meter.quotaPeriodStart = periodStart;
      meter.quotaUsed = 0;
    }
    return meter;
  }

}

/**
 * When the quota period holding `now` began, in UTC: the day; the week starting on weekday
 * `offset` (0 is Sunday); the month, `offset` days in.
 */
export function quotaPeriodStart(quota: NonNullable<UsagePlanDefinition["quota"]>, now: number): number {
  const date = new Date(now);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  switch (quota.period) {
    case "DAY":
      return day;
    case "WEEK":
      return day - (((date.getUTCDay() - quota.offset + 7) % 7) * 86_400_000);
    case "MONTH": {
      const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1 + quota.offset);
      return start <= now ? start : Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1 + quota.offset);
    }
  }
}

/** API Gateway's generated keys are 40 characters of letters and digits. */
function generatedKeyValue(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(40), (byte) => alphabet[byte % alphabet.length]).join("");
}
