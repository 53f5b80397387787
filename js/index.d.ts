// Types for edgefuse's public API. Kept by hand beside js/index.js; tests/types checks
// them under `tsc --strict`. Built on @cloudflare/workers-types (or the runtime types
// `wrangler types` writes), which declare the "cloudflare:workers" module.
import type { DurableObject } from "cloudflare:workers";

/** How a plan bills a resource. */
export type Billing = "not-metered" | "hard-limit" | "overage";
export type Plan = "free" | "paid";
export type Period = "day" | "month";

/** What a plan includes of a resource and what it charges beyond that. */
export type Allowance =
  | { billing: "not-metered" }
  | { billing: "hard-limit"; period: Period; included: number }
  | {
      billing: "overage";
      period: Period;
      included: number;
      /** USD per `priceUnit` units beyond `included`. */
      priceUsd: number;
      priceUnit: number;
      /** Overage is billed in whole `priceUnit`s (R2). */
      roundsUpToUnit: boolean;
    };

/** A billable resource: what is billed, where usage is read from, and what it costs. */
export interface Resource {
  readonly id: ResourceId;
  readonly service: string;
  readonly metric: string;
  readonly unit: string;
  /** "sum": counts that add up; "daily-peak": a stored level (storage), billed per GB-month. */
  readonly measure: "sum" | "daily-peak";
  /** The resource it is billed and judged as (its allowance, price and thresholds), "" for itself. */
  readonly billedAs: ResourceId | "";
  readonly graphql: {
    /** GraphQL Analytics dataset, "" when the API does not expose the metric. */
    readonly dataset: string;
    readonly field: string;
    /** Units per unit of `field`, e.g. 0.001 for microseconds to milliseconds. */
    readonly fieldScale: number;
    /** Comma-separated `actionType` values counted, "" for all. */
    readonly actionTypes: string;
    /** Dimension giving a per-binding breakdown, "" when none. */
    readonly bindingDimension: string;
    /** R2's `storageClass` the rows must have ("Standard", "InfrequentAccess"), "" for any. */
    readonly storageClass: string;
    /** Page documenting the dataset and field, "" when not in the public docs. */
    readonly documentedAt: string;
    /** Whether the usage poll reads it; thresholds and budgets need this. */
    readonly polled: boolean;
    /** Why the poll cannot read it, "" when it does. */
    readonly notPolled: string;
  };
  readonly free: Readonly<Allowance>;
  readonly paid: Readonly<Allowance>;
  /** Official Cloudflare page(s) the numbers come from, space-separated. */
  readonly source: string;
  readonly note: string;
}

export type ResourceId =
  | "workers-requests"
  | "workers-cpu-ms"
  | "kv-reads"
  | "kv-writes"
  | "kv-deletes"
  | "kv-lists"
  | "d1-rows-read"
  | "d1-rows-written"
  | "r2-class-a"
  | "r2-class-b"
  | "r2-deletes"
  | "queues-operations"
  | "do-requests"
  | "do-duration-gbs"
  | "do-websocket-messages"
  | "do-storage-read-units"
  | "do-storage-write-units"
  | "do-storage-deletes"
  | "do-sqlite-rows-read"
  | "do-sqlite-rows-written"
  | "ai-neurons"
  | "vectorize-queried-dimensions"
  | "vectorize-stored-dimensions"
  | "stream-minutes-delivered"
  | "stream-minutes-stored"
  | "kv-storage-gb"
  | "d1-storage-gb"
  | "r2-storage-gb"
  | "r2-ia-storage-gb"
  | "do-storage-gb"
  | "r2-ia-class-a"
  | "r2-ia-class-b"
  | "r2-ia-retrieval-gb"
  | "workers-logs-gb"
  | "analytics-engine-data-points"
  | "analytics-engine-read-queries"
  | "browser-hours"
  | "browser-concurrency"
  | "images-unique-transformations"
  | "hyperdrive-queries";

/** Every billable resource edgefuse knows. Loaded from the WASM core on first use. */
export declare const RESOURCES: readonly Resource[];

export interface ResourceCost {
  readonly id: ResourceId;
  readonly used: number;
  readonly included: number;
  /** Units beyond `included`. */
  readonly over: number;
  /** 0 unless the plan bills overage for this resource. */
  readonly overageUsd: number;
  /** null when the plan includes none of it. */
  readonly percentOfQuota: number | null;
  readonly period: Period;
  readonly billing: Billing;
}

export interface CostEstimate {
  readonly plan: Plan;
  readonly resources: readonly ResourceCost[];
  readonly totalOverageUsd: number;
}

/** Units used per resource, each over that resource's allowance period. */
export type Usage = Partial<Record<ResourceId, number>>;

/** Prices `usage` on `plan`. Throws GuardInputError listing every problem with the input. */
export declare function estimateCost(usage: Usage, options: { plan: Plan }): CostEstimate;

export type BindingKind = "kv" | "d1" | "r2" | "queue" | "ai" | "vectorize" | "durable-object" | "ignore";

export interface ThresholdConfig {
  /** Percent of the quota or inclusion that sends a warning. */
  warn?: number;
  /** Percent that trips the breaker; null for none. */
  trip?: number | null;
  /** Percent below which a tripped breaker recovers; must be below trip. */
  recover?: number;
  /** Absolute units (in the window) that trip the breaker. */
  tripAt?: number;
  /** The window usage is summed over. Default: the allowance's own (day or billing month). */
  granularity?: "day" | "week" | "month";
  /** Overage in USD that trips the breaker (resources billed with overage only). */
  maxOverageUsd?: number;
}

export interface BudgetConfig {
  /** The most overage in USD accepted per period. */
  maxUsd: number;
  /** Percent of maxUsd that sends a warning. Default 80. */
  warn?: number;
  /** Default "month". */
  granularity?: "day" | "week" | "month";
}

/** Plain JSON config for createGuard(). Every option and default is in the README. */
export interface GuardConfig {
  plan: Plan;
  billingDay?: number;
  accountIdEnv?: string;
  apiTokenEnv?: string;
  /** An env var that, when set, replaces `endpoint`. Default "EDGEFUSE_USAGE_API_ENDPOINT". */
  endpointEnv?: string;
  endpoint?: string;
  stateBinding?: string;
  refreshSeconds?: number;
  onBlocked?: "throw" | "skip";
  dryRun?: boolean;
  bindings?: Record<string, BindingKind>;
  /** Per-invocation limits by resource, or "<resource>:<BINDING>"; null turns one off. Defaults in the README. */
  limits?: Partial<Record<CountedResourceId | `${CountedResourceId}:${string}`, number | null>>;
  /** Threshold lines by resource, or "<resource>:<BINDING>" for one binding (see bindingIds). */
  thresholds?: Partial<Record<ResourceId | `${ResourceId}:${string}`, ThresholdConfig>>;
  /** Required on the paid plan. */
  budget?: BudgetConfig;
  /** Binding name -> its id in the analytics (namespace id, database id, bucket name). */
  bindingIds?: Record<string, string>;
  /** The cron expression whose events evaluate usage; null (default): every event. */
  evaluateCron?: string | null;
  /** The handler's own scheduled work while the guard is tripped globally. Default "skip". */
  scheduledWhenTripped?: "skip" | "run";
  /** Failed checks in a row before the status says "blind". Default 3. */
  failuresUntilBlind?: number;
  /** Timeout of each usage-API request, 1-30 s. Default 10. */
  pollTimeoutSeconds?: number;
  /** A service binding to send usage-API requests through, instead of the internet. */
  endpointBinding?: string | null;
  alerts?: {
    channels?: AlertChannelConfig[];
    /** Levels sent. Default: all. */
    levels?: AlertLevel[];
    /**
     * A summary on every channel: usage, spend, trips, the biggest spike and blind spots.
     * Sent at the first evaluation from `hourUtc` (0-23, default 9) for the day before, and
     * with `weekly` on Mondays for the week before. `daily` defaults to true.
     */
    digest?: { hourUtc?: number; daily?: boolean; weekly?: boolean } | null;
  };
  /** Alert once a period when a resource is on course for this % of its allowance. null: off. */
  projection?: { alertAtPercent?: number } | null;
  /** Alert when the last hour used `factor` x the trailing baseline (at least floorPercent of the even hourly share). null: off. */
  spike?: { factor?: number; floorPercent?: number } | null;
  /** Where guard.wrap serves the status page. Default "/__edgefuse". */
  adminPath?: string;
  /** The env var holding the status page's token; the page is off without it. Default "EDGEFUSE_ADMIN_TOKEN". */
  adminTokenEnv?: string;
  /** Per-client rate limits in guard.wrap, kept in the EdgefuseRateLimiter Durable Object. */
  rateLimit?: {
    /** The Durable Object namespace binding. Default "EDGEFUSE_RATE_LIMITER". */
    binding?: string;
    /** Put the RateLimit headers on allowed responses too. Default false. */
    headers?: boolean;
    routes?: RateLimitRoute[];
    /** "durable-object" (default) or "kv": eventually consistent, see the README. */
    mode?: "durable-object" | "kv";
    /** KV mode: the namespace. Default "EDGEFUSE_STATE". */
    kvBinding?: string;
    /** KV mode: how often an isolate syncs a key with KV, 1-3600 s. Default 10. */
    syncSeconds?: number;
    /** Match route paths whatever their case, for an app whose router ignores case. Default false. */
    ignoreCase?: boolean;
    /** The env var (a secret) that keys the hash of rate-limit keys (HMAC-SHA-256). Unset: EDGEFUSE_RATE_LIMIT_SECRET if the Worker has it, else plain SHA-256; set: a missing secret is warned of. */
    keySecretEnv?: string;
  };
  /** The real-time meter: on when this is given (`{}` will do) or `rates` has a line. */
  meter?: {
    /** The EdgefuseMeter Durable Object namespace binding. Default "EDGEFUSE_METER". */
    binding?: string;
    /** A calm isolate reports at most this often, 1-3600 s. Default 60. */
    reportSeconds?: number;
    /** Live quotas: the poll's trip lines judged on its last figure plus the live count since. Default true. */
    quotas?: boolean;
  } | null;
  /**
   * Rate lines the real-time meter judges across every isolate: at most `perMinute` units
   * of a resource over any rolling minute; a trip ends at `recoverPerMinute` (default half).
   */
  rates?: Partial<Record<CountedResourceId | `${CountedResourceId}@${string}`, { perMinute: number; recoverPerMinute?: number }>>;
  /**
   * Parts of the Worker the meter counts apart, each the invocations of a route (a path and
   * those below it), a cron expression or a queue: a rate line on "<resource>@<feature>"
   * trips that feature's calls only. At most 16.
   */
  features?: Record<string, { route: string } | { cron: string } | { queue: string }>;
  /**
   * Operator actions: while a line stands tripped, take this Worker off workers.dev, detach
   * its routes or pause its crons through Cloudflare's REST API, and put them back exactly
   * once no line calls for them. Off unless given. See the README's "Operator actions".
   */
  actions?: ActionsConfig | null;
}

export type OperatorAction = "disable-workers-dev" | "detach-routes" | "pause-crons";

export interface ActionsConfig {
  /** The Worker's script name: the only one the actions touch. env[scriptEnv] must name it too. */
  script: string;
  /** Default "EDGEFUSE_SCRIPT_NAME". */
  scriptEnv?: string;
  /** The env var of an API token with Workers Scripts Edit (and Workers Routes Edit for detach-routes). Default "CF_ACTIONS_API_TOKEN". */
  tokenEnv?: string;
  /** Default "https://api.cloudflare.com/client/v4". */
  endpoint?: string;
  /** An env var whose URL or service binding replaces `endpoint` (a local simulator). Default "EDGEFUSE_REST_API_ENDPOINT". */
  endpointEnv?: string;
  /** detach-routes: the zones whose routes to the Worker are detached. */
  zones?: string[];
  /** Say what would be done; do nothing. */
  dryRun?: boolean;
  /** A line (a resource, a "resource:BINDING" with a threshold, or "budget") -> what its trip does. */
  on: Partial<Record<ResourceId | "budget" | `${ResourceId}:${string}`, OperatorAction[]>>;
}

export interface RateLimitRoute {
  /** The path and everything below it, e.g. "/api/" (not "/apix"); the longest matching route applies. */
  path: string;
  /** Tokens when full: a whole number, 1 to 1e9. */
  capacity: number;
  /** Tokens refilled a second, 0.000001 to 1e9. */
  refillPerSecond: number;
  /** Tokens per request. Default 1. */
  cost?: number;
  /** "ip" (CF-Connecting-IP, the default; IPv6 by its /64) or "header:<Name>". */
  key?: string;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly remaining: number;
  readonly retryAfterSeconds: number;
  readonly resetSeconds: number;
  /** The limiter could not be reached, so the request was let through. */
  readonly failedOpen?: boolean;
}

/** The Durable Object class behind rate limits: export it from your Worker and bind it. */
export declare class EdgefuseRateLimiter extends DurableObject {
  take(params: { capacity: number; refillPerSecond: number; cost?: number }, now: number): Promise<RateLimitDecision>;
  alarm(): Promise<void>;
}

/** A breaker as the guard keeps it: why, since when (ISO 8601), and who tripped it. */
export interface MeterBreaker {
  readonly reason: string;
  readonly since: string;
  readonly source: "meter";
}

/** The real-time meter's answer to one report. */
export interface MeterAnswer {
  readonly version: number;
  readonly breakers: Readonly<Record<string, MeterBreaker>>;
  /** Units of each rate line's resource in the last minute, across isolates. */
  readonly rates: Readonly<Record<string, number>>;
  /** Units of each metered resource left under its lowest line (rate or live quota). */
  readonly headroom: Readonly<Record<string, number>>;
  /** When an isolate holding one of these breakers should ask again (ms), or null. */
  readonly recheckAtMs: number | null;
  /** Near a line: the reporting isolate's share of what is left, in whole units (its room). */
  readonly shares?: Readonly<Record<string, number>>;
  /** Present when the reporting isolate is to write these breakers to the KV state record (the guard does). */
  readonly record?: {
    readonly version: number;
    readonly breakers: Readonly<Record<string, MeterBreaker>>;
    readonly changes: readonly { readonly key: string; readonly event: "trip" | "recover" | "reset"; readonly reason: string; readonly version: number }[];
  };
}

/** The Durable Object class behind the real-time meter: export it from your Worker and bind it. */
export declare class EdgefuseMeter extends DurableObject {
  /** One isolate's report, as the guard writes it; { problems } when it is not one. */
  report(reportText: string): Promise<MeterAnswer | { readonly problems: readonly Problem[] }>;
  /** A usage tick's figures for live quotas, as the guard's cron tick sends them. */
  baseline(baselineText: string): Promise<MeterAnswer | { readonly problems: readonly Problem[] }>;
  /** A manual reset, as guard.reset sends it: ends the meter's trips on its keys and holds them off. */
  reset(resetText: string): Promise<MeterAnswer | { readonly problems: readonly Problem[] }>;
  /** The guard wrote the meter's trips to the KV state record up to a version: {"now", "version"}. */
  recorded(recordedText: string): Promise<MeterAnswer | { readonly problems: readonly Problem[] }>;
}

export type AlertLevel = "warn" | "trip" | "recover" | "blind" | "inaccessible" | "projection" | "spike";

export interface AlertChannelConfig {
  type: "discord" | "slack" | "webhook";
  /** The env var (a secret) holding the webhook URL. Defaults: DISCORD_WEBHOOK_URL, SLACK_WEBHOOK_URL, ALERT_WEBHOOK_URL. */
  urlEnv?: string;
  /** webhook only: the env var holding the HMAC-SHA256 key. Default ALERT_WEBHOOK_SECRET. */
  secretEnv?: string;
  /** A service binding to send through instead of the internet. */
  binding?: string;
}

export interface Threshold {
  readonly warn: number;
  readonly trip: number | null;
  readonly recover: number;
  readonly tripAt: number | null;
  readonly maxOverageUsd: number | null;
  readonly granularity: "day" | "week" | "month" | null;
}

/** The config after validation, every default filled in. */
export interface NormalizedConfig {
  readonly plan: Plan;
  readonly billingDay: number;
  readonly accountIdEnv: string;
  readonly apiTokenEnv: string;
  readonly endpointEnv: string;
  readonly endpoint: string;
  readonly stateBinding: string;
  readonly refreshSeconds: number;
  readonly onBlocked: "throw" | "skip";
  readonly dryRun: boolean;
  readonly bindings: Readonly<Record<string, BindingKind>>;
  readonly limits: Readonly<Record<string, number | null>>;
  /** A line for every resource the poll reads (see `coverage` in a report), and each per-binding key. */
  readonly thresholds: Readonly<Partial<Record<ResourceId, Threshold>> & Record<string, Threshold>>;
  readonly budget: Readonly<Required<BudgetConfig>> | null;
  readonly bindingIds: Readonly<Record<string, string>>;
  readonly evaluateCron: string | null;
  readonly scheduledWhenTripped: "skip" | "run";
  readonly failuresUntilBlind: number;
  readonly pollTimeoutSeconds: number;
  readonly endpointBinding: string | null;
  readonly alerts: { readonly channels: readonly Readonly<Required<Omit<AlertChannelConfig, "secretEnv" | "binding">> & { secretEnv?: string; binding: string | null }>[]; readonly levels: readonly AlertLevel[]; readonly digest: { readonly hourUtc: number; readonly daily: boolean; readonly weekly: boolean } | null };
  readonly projection: { readonly alertAtPercent: number } | null;
  readonly spike: { readonly factor: number; readonly floorPercent: number } | null;
  readonly adminPath: string;
  readonly adminTokenEnv: string;
  readonly rateLimit: {
    readonly binding: string;
    readonly headers: boolean;
    readonly routes: readonly Readonly<Required<RateLimitRoute>>[];
    readonly mode: "durable-object" | "kv";
    readonly kvBinding: string;
    readonly syncSeconds: number;
    readonly keySecretEnv: string | null;
    readonly ignoreCase: boolean;
  };
  /** The real-time meter's settings, or null when it is off. */
  readonly meter: { readonly binding: string; readonly reportSeconds: number; readonly quotas: boolean } | null;
  readonly rates: Readonly<Record<string, { readonly perMinute: number; readonly recoverPerMinute: number }>>;
  readonly features: Readonly<Record<string, { readonly route: string } | { readonly cron: string } | { readonly queue: string }>>;
  readonly actions: (Readonly<Required<Omit<ActionsConfig, "on" | "zones">>> & { readonly zones: readonly string[]; readonly on: Readonly<Record<string, readonly OperatorAction[]>> }) | null;
}

/** Resources a guarded binding call is charged to, so the ones a limit can name. */
export type CountedResourceId =
  | "kv-reads"
  | "kv-writes"
  | "kv-deletes"
  | "kv-lists"
  | "d1-rows-read"
  | "d1-rows-written"
  | "r2-class-a"
  | "r2-class-b"
  | "r2-deletes"
  | "queues-operations"
  | "do-requests"
  | "ai-neurons"
  | "vectorize-queried-dimensions"
  | "vectorize-stored-dimensions";

/** The Worker handler shape guard.wrap() takes and returns (fetch, scheduled, queue, ...). */
export type Handler<Env> = {
  fetch?: (request: Request, env: Env, ctx: ExecutionContextLike) => Response | Promise<Response>;
  scheduled?: (controller: any, env: Env, ctx: ExecutionContextLike) => void | Promise<void>;
  queue?: (batch: any, env: Env, ctx: ExecutionContextLike) => void | Promise<void>;
  [entryPoint: string]: unknown;
};

/** The part of a Worker's ExecutionContext the guard uses. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/** What guard.env is told of an invocation, to label it with a feature: exactly one of these. */
export type InvocationLabel =
  | { readonly request: Request | string }
  | { readonly cron: string }
  | { readonly queue: string }
  | { readonly feature: string };

export interface Guard {
  readonly config: NormalizedConfig;
  /**
   * `env` with every recognised binding guarded for one invocation: counted, limited and
   * refused while tripped. Await once per invocation and use the result throughout.
   * `invocation` labels it with a configured feature for the real-time meter, as
   * guard.wrap does; a feature name the config lacks throws a GuardInputError.
   */
  env<Env extends object>(env: Env, ctx?: ExecutionContextLike, invocation?: InvocationLabel): Promise<Env>;
  /**
   * The handler with guarded envs given to its entry points (fetch, scheduled, queue, tail,
   * trace, tailStream, email, test), of the same type: an `ExportedHandler<Env>`, a Hono app.
   * Or a `WorkerEntrypoint` class: a subclass of the same name whose methods see a guarded
   * `this.env`. A GuardError escaping fetch becomes a 503.
   */
  wrap<H extends object>(handler: H): H;
  /** Units the invocation behind a guarded env has used, per resource (only those used). Pass the env guard.env gave, not a copy. */
  usage(guardedEnv: object): Usage;
  /** KV reads this guard has made of its breaker state in this isolate. */
  readonly stateReads: number;
  /**
   * Takes `cost` tokens from the bucket of `key` under this limit (the key is hashed). Bad
   * parameters throw a GuardInputError; a limiter that fails or takes over 1 s fails open.
   */
  rateLimit(
    env: object,
    key: string,
    limit: { capacity: number; refillPerSecond: number; cost?: number },
    ctx?: ExecutionContextLike,
  ): Promise<RateLimitDecision>;
  /**
   * Invocations whose counters this isolate keeps now (freed once nothing can reach their
   * guarded env); counters dropped from invocations not yet collected, and of those, from
   * handlers still running (none, normally).
   */
  readonly invocations: { readonly live: number; readonly evicted: number; readonly evictedRunning: number };
  /**
   * The real-time meter as this isolate sees it: its breakers in force here, and the reports
   * answered and failed. Null when the meter is off.
   */
  readonly meter: {
    readonly breakers: Readonly<Record<string, MeterBreaker>>;
    /** Reports answered and failed; the mean round trip of those answered, in ms. */
    readonly reports: { readonly answered: number; readonly failed: number; readonly roundTripMs: number };
  } | null;
  /** KV operations of the rate limiter's KV mode in this isolate. */
  readonly rateLimitKvOps: { readonly reads: number; readonly writes: number };
  /** What the status page shows: a read-only evaluation now, the stored breakers, limit hits. */
  status(env: object): Promise<StatusReport>;
  /** One usage evaluation now; resolves to a report and never rejects. */
  evaluate(env: object, options?: { now?: number }): Promise<EvaluationReport>;
  /** Trips breaker keys by hand ("kv-writes", "d1-rows-written:DB"); resolves to the breakers in force. */
  trip(env: object, resources: string | string[], reason?: string, options?: { ttlSeconds?: number }): Promise<Record<string, BreakerRecord>>;
  /**
   * Clears breaker keys ("kv-writes", "d1-rows-written:DB", or a feature's "kv-writes@import",
   * reset at the real-time meter) and holds off their re-trip; resolves to the breakers in force.
   */
  reset(env: object, resources: string | string[], options?: { holdSeconds?: number }): Promise<Record<string, BreakerRecord>>;
}

/** A breaker as stored in the state record. */
export interface BreakerRecord {
  readonly resource: ResourceId;
  /** "" when the whole resource is tripped. */
  readonly binding: string;
  readonly reason: string;
  /** ISO 8601 UTC. */
  readonly since: string;
  readonly source: "poll" | "budget" | "manual" | "meter";
  /** When a manual trip, or a meter trip's lease, lapses by itself (ISO 8601 UTC). */
  readonly until?: string;
}

export interface PollEvent {
  readonly level: "warn" | "trip" | "recover" | "blind" | "inaccessible" | "projection" | "spike" | "budget-warn" | "digest" | "action";
  /** A breaker key, "budget", a dataset, "usage-api", "daily-digest" / "weekly-digest", or an operator action (or "refused"). */
  readonly key: string;
  readonly message: string;
  readonly dryRun: boolean;
  /** Known figures behind the event: resource, used, quota, unit, percent, overageUsd, ... */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface ResourceReport {
  readonly key: string;
  readonly resource: ResourceId;
  readonly binding: string;
  readonly unit: string;
  readonly window: { readonly granularity: "day" | "week" | "month"; readonly from: string; readonly to: string; readonly resetsAt: string };
  /** null when the API gave no trustworthy figure this tick. */
  readonly used: number | null;
  /** The allowance scaled to the window; null when nothing is included. */
  readonly quota: number | null;
  readonly percent: number | null;
  readonly overageUsd: number | null;
  readonly stale: boolean;
  readonly decision: "ok" | "warn" | "trip" | "tripped" | "recover" | "held" | "stale";
  readonly breaker: BreakerRecord | null;
  /** The threshold's lines: percentages of the quota, or absolute units and USD. */
  readonly lines: {
    readonly warn: number;
    readonly trip: number | null;
    readonly recover: number;
    readonly tripAt: number | null;
    readonly maxOverageUsd: number | null;
  };
  /** Resource-level rows only: the end-of-period forecast. */
  readonly projection?: {
    readonly ratePerHour: number;
    readonly endOfPeriod: number;
    readonly percent: number | null;
    readonly overageUsd: number;
    readonly quotaReachedAt: string | null;
    readonly periodEndsAt: string;
    /** Used so far in the allowance's period ("day" or "billing month"), and what it includes (null: nothing). */
    readonly used: number;
    readonly period: "day" | "billing month";
    readonly included: number | null;
  };
  /** Resource-level rows only: usage per completed hour, oldest first (at most 24). */
  readonly hourly?: readonly number[];
  readonly spike?: { readonly lastHour: number; readonly baseline: number; readonly spiking: boolean };
}

/** Budget figures of one evaluation: overage against `budget.maxUsd` in its window. */
export interface BudgetReport {
  readonly maxUsd: number;
  readonly usedUsd: number;
  readonly percent: number;
  /** The warn line, in percent of maxUsd. */
  readonly warn: number;
  /** A monthly budget's projected overage at the end of the billing month; null otherwise. */
  readonly projectedUsd: number | null;
  readonly granularity: "day" | "week" | "month";
  /** The window's first day (YYYY-MM-DD) and when it resets (ISO 8601 UTC). */
  readonly from: string;
  readonly resetsAt: string;
  /** Overage in USD per resource that has any. */
  readonly contributions: Readonly<Record<string, number>>;
  /** A dataset the total needs failed, or days are unmeasured: the total is a lower bound. */
  readonly stale: boolean;
  /**
   * Days the window needs that no query reaches (older than a dataset answers) and the guard
   * has not stored: after a long outage, or in the first ticks.
   */
  readonly unmeasuredDays: number;
  readonly decision: "ok" | "warn" | "trip" | "tripped" | "recover";
}

/** The usage API's health as this evaluation saw it. */
export interface HealthReport {
  readonly lastCheckAt: string;
  readonly lastError: string;
  readonly consecutiveFailures: number;
  /** Failures in a row, per dataset that is failing. */
  readonly datasetFailures: Readonly<Record<string, number>>;
  /** Every polled dataset has failed `failuresUntilBlind` times in a row. */
  readonly blind: boolean;
  /** The datasets that have failed that long. */
  readonly blindDatasets: readonly string[];
  /** Datasets the account or API token may not read: said once, never counted as blindness. */
  readonly inaccessible: readonly string[];
  readonly failuresUntilBlind: number;
}

/** What the core read and judged: shared by evaluate() and status(). */
export interface UsageReport {
  readonly plan: Plan;
  readonly dryRun: boolean;
  /** When the evaluation ran (ISO 8601 UTC). */
  readonly now: string;
  readonly resources: readonly ResourceReport[];
  readonly budget: BudgetReport | null;
  readonly health: HealthReport;
  /** The breakers as read before this evaluation (the record's, else the safety net's). */
  readonly breakersBefore: Readonly<Record<string, BreakerRecord>>;
  /** Every resource, and whether the poll reads it ("" reason when it does). */
  readonly coverage: readonly { readonly resource: ResourceId; readonly polled: boolean; readonly reason: string }[];
  /** The guard's own KV operations in this evaluation. */
  readonly kv: KvOperations;
}

export interface KvOperations {
  readonly reads: number;
  readonly writes: number;
  readonly deletes: number;
}

/** An evaluation that could not run: nothing was decided. The figures are absent. */
export interface FailedReport {
  readonly ok: false;
  readonly error: string;
  readonly kv: KvOperations;
  readonly plan?: undefined;
  readonly dryRun?: undefined;
  readonly now?: undefined;
  readonly resources?: undefined;
  readonly budget?: undefined;
  readonly health?: undefined;
  readonly breakersBefore?: undefined;
  readonly coverage?: undefined;
  readonly wrote?: undefined;
  readonly events?: undefined;
  readonly alerts?: undefined;
}

/** What one evaluation saw and did. `ok` false: it could not run (see `error`). */
export type EvaluationReport =
  | (UsageReport & {
      readonly ok: true;
      /** The state record was written. */
      readonly wrote: boolean;
      readonly events: readonly PollEvent[];
      /** Alerts sent this tick, and deliveries waiting to be retried. */
      readonly alerts: { readonly sent: number; readonly pending: number };
    })
  | FailedReport;

/** What the status page shows: a read-only evaluation now, and what the cron ticks recorded. */
export type StatusReport = (
  | (UsageReport & {
      readonly ok: true;
      readonly live: true;
      /** The last cron tick's check (ISO 8601 UTC), or null before the first. */
      readonly lastCheckAt: string | null;
      /** As the cron ticks recorded it: every polled dataset failing long enough. */
      readonly blind: boolean;
      readonly lastError: string;
      readonly consecutiveFailures: number;
      /** The stored breakers (the record's, else the safety net's), as the core read them. */
      readonly breakers: Readonly<Record<string, BreakerRecord>>;
    })
  | FailedReport
) & {
  /** Per-invocation limit refusals in this isolate, by limit key. */
  readonly limitHits: { readonly since: string; readonly counts: Readonly<Record<string, number>> };
  /** The real-time meter as this isolate sees it (guard.meter), or null when it is off. */
  readonly meter: Guard["meter"];
};

export interface CreateGuardOptions {
  /** Milliseconds since the epoch; for tests. Default Date.now. */
  clock?: () => number;
}

/** Validates `config` in the core. Throws GuardConfigError listing every problem. */
export declare function createGuard(config: GuardConfig, options?: CreateGuardOptions): Guard;

/** The KV key of the guard's state record, in the `stateBinding` namespace. */
export declare const STATE_KEY: "edgefuse:state";
/** The KV key of the safety net that keeps trips in force if the state is lost. */
export declare const SAFETY_NET_KEY: "edgefuse:safety-net";

/** A guarded binding call refused before it ran. */
export declare class GuardError extends Error {
  readonly name: "GuardError";
  readonly code: "tripped" | "invocation-limit";
  readonly resource: CountedResourceId;
  /** The env binding name, e.g. "DB". */
  readonly binding: string;
  readonly method: string;
  /** code "tripped": why and since when (ISO 8601). */
  readonly reason?: string;
  readonly since?: string;
  /** code "invocation-limit": the limit hit, "<resource>" or "<resource>:<BINDING>". */
  readonly limitKey?: string;
  /** code "invocation-limit": units used and the limit. */
  readonly used?: number;
  readonly limit?: number;
}

/** One thing wrong with an input, located by its JSON path. */
export interface Problem {
  readonly path: string;
  readonly message: string;
  /** How to put it right; "" when the message says it all. */
  readonly fix: string;
}

export declare class GuardConfigError extends Error {
  readonly name: "GuardConfigError";
  readonly problems: readonly Problem[];
}

export declare class GuardInputError extends TypeError {
  readonly name: "GuardInputError";
  readonly problems: readonly Problem[];
}
