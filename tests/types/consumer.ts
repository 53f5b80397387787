// Compiled with `tsc --noEmit --strict` against the shipped declarations: a consumer's view.
import {
  RESOURCES,
  createGuard,
  estimateCost,
  GuardConfigError,
  GuardError,
  STATE_KEY,
  EdgefuseRateLimiter,
  type CostEstimate,
  type GuardConfig,
  type Resource,
} from "edgefuse";

const config: GuardConfig = {
  plan: "paid",
  budget: { maxUsd: 50 },
  thresholds: { "kv-writes": { trip: 90, recover: 80 }, "d1-rows-written": { tripAt: 1e6 } },
  bindings: { MY_DB: "d1" },
};

export function check(): number {
  const guard = createGuard(config);
  const refresh: number = guard.config.refreshSeconds;
  const first: Resource | undefined = RESOURCES[0];
  const estimate: CostEstimate = estimateCost({ "kv-reads": 12e6 }, { plan: guard.config.plan });
  try {
    createGuard({ plan: "free" });
  } catch (error) {
    if (error instanceof GuardConfigError) return error.problems.length;
  }
  return refresh + (first ? 1 : 0) + estimate.totalOverageUsd;
}

// @ts-expect-error: an unknown resource id is a type error too.
estimateCost({ "kv-readz": 1 }, { plan: "free" });

interface Env {
  DB: { prepare(query: string): unknown };
  GREETING: string;
}

export const worker = createGuard(config, { clock: () => Date.now() }).wrap({
  async fetch(request: Request, env: Env) {
    return new Response(`${env.GREETING} ${request.url} ${STATE_KEY}`);
  },
});

export async function guarded(env: Env): Promise<string> {
  const guard = createGuard({ plan: "free", limits: { "kv-writes": 10, "d1-rows-read": null } });
  const safe: Env = await guard.env(env);
  await guard.env(env, undefined, { feature: "import" });
  await guard.env(env, undefined, { request: new Request("https://example.com/import") });
  // @ts-expect-error: an invocation is labelled by exactly one of request, cron, queue or feature.
  await guard.env(env, undefined, { route: "/import" });
  try {
    safe.DB.prepare("SELECT 1");
  } catch (error) {
    if (error instanceof GuardError && error.code === "invocation-limit") return `${error.resource} ${error.used}/${error.limit}`;
  }
  return JSON.stringify(guard.usage(safe)["kv-reads"] ?? 0) + guard.stateReads;
}

// @ts-expect-error: workers-cpu-ms is not counted per call, so it has no per-invocation limit.
createGuard({ plan: "free", limits: { "workers-cpu-ms": 5 } });
// @ts-expect-error: nor are Durable Objects' SQLite rows: the config refuses them, and so do the types.
createGuard({ plan: "free", rates: { "do-sqlite-rows-written": { perMinute: 5 } } });

export async function poll(env: Env): Promise<number> {
  const guard = createGuard({ plan: "paid", budget: { maxUsd: 20, granularity: "week" }, evaluateCron: "*/5 * * * *",
    bindingIds: { DB: "0000" }, thresholds: { "d1-rows-written": { tripAt: 1e6, granularity: "day" } } });
  const report = await guard.evaluate(env, { now: Date.now() });
  const breakers = await guard.trip(env, ["kv-writes"], "by hand", { ttlSeconds: 600 });
  await guard.reset(env, "kv-writes", { holdSeconds: 60 });
  // Every figure the report carries is declared; a failed evaluation carries none.
  const figures = report.ok
    ? (report.health.datasetFailures["kvOperationsAdaptiveGroups"] ?? 0) + (report.budget?.projectedUsd ?? 0) + report.alerts.pending
    : report.error.length;
  const before = report.ok ? Object.keys(report.breakersBefore).length + (report.plan === "paid" ? 1 : 0) : 0;
  return (report.resources?.length ?? 0) + Object.keys(breakers).length + report.kv.reads + figures + before;
}

export async function watched(env: Env): Promise<string> {
  const guard = createGuard({
    plan: "free",
    alerts: {
      channels: [{ type: "discord" }, { type: "webhook", secretEnv: "HOOK_KEY" }],
      levels: ["trip", "spike"],
      digest: { hourUtc: 8, weekly: true },
    },
    projection: { alertAtPercent: 90 },
    spike: null,
    evaluateCron: "*/5 * * * *",
    actions: { script: "my-worker", zones: ["023e105f4ecef8ad9ca31a8372d0c353"], on: { budget: ["detach-routes"], "kv-writes": ["pause-crons"] } },
    adminPath: "/ops/guard",
  });
  const status = await guard.status(env);
  const recorded = status.ok ? `${status.lastCheckAt ?? "never"} ${status.blind} ${Object.keys(status.breakers).join(",")}` : status.error;
  const projection = status.resources?.[0]?.projection;
  const digestHour = guard.config.alerts.digest?.hourUtc ?? -1;
  // @ts-expect-error: an action the guard does not know is a type error.
  createGuard({ plan: "free", actions: { script: "w", on: { "kv-writes": ["delete-worker"] } } });
  const actionCount = guard.config.actions?.on["kv-writes"]?.length ?? 0;
  return `${status.limitHits.since} ${projection?.periodEndsAt ?? ""} ${projection?.included ?? "none"} ${guard.config.alerts.channels.length} ${digestHour} ${actionCount} ${recorded}`;
}

export { EdgefuseRateLimiter };
export async function limited(env: Env): Promise<boolean> {
  const guard = createGuard({ plan: "free", rateLimit: { routes: [{ path: "/api/", capacity: 10, refillPerSecond: 1, key: "header:X-Api-Key" }] } });
  const decision = await guard.rateLimit(env, "client", { capacity: 10, refillPerSecond: 1 });
  return decision.allowed && guard.config.rateLimit.routes[0].cost === 1;
}
