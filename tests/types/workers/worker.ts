// Idiomatic typed Workers, compiled with `tsc --strict` against @cloudflare/workers-types
// and the shipped declarations: what a TypeScript user writes must type-check as written.
import { Hono } from "hono";
import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";
import { createGuard, EdgefuseMeter, EdgefuseRateLimiter } from "edgefuse";
import { guarded } from "edgefuse/hono";
import { guarded as guardedPage } from "edgefuse/pages";

interface Env {
  CACHE: KVNamespace;
  DB: D1Database;
  EDGEFUSE_STATE: KVNamespace;
  EDGEFUSE_RATE_LIMITER: DurableObjectNamespace<EdgefuseRateLimiter>;
  EDGEFUSE_METER: DurableObjectNamespace<EdgefuseMeter>;
  COUNTER: DurableObjectNamespace<Counter>;
}

const guard = createGuard({
  plan: "paid",
  budget: { maxUsd: 25 },
  limits: { "d1-rows-written:DB": 100 },
  thresholds: { "d1-rows-written:DB": { tripAt: 1_000_000 } },
  bindingIds: { DB: "00000000-0000-4000-8000-000000000001" },
  rates: {
    "d1-rows-written": { perMinute: 5000 },
    "kv-writes": { perMinute: 100, recoverPerMinute: 20 },
    "d1-rows-written@import": { perMinute: 1000 },
  },
  features: { import: { route: "/import/" }, nightly: { cron: "0 3 * * *" } },
  meter: { reportSeconds: 30 },
});

// A handler checked against ExportedHandler<Env>, wrapped, still an ExportedHandler<Env>.
const handler = {
  async fetch(request, env, ctx) {
    ctx.waitUntil(env.CACHE.put("seen", request.url));
    const row = await env.DB.prepare("SELECT 1 AS one").first<{ one: number }>();
    return Response.json({ one: row?.one, country: request.cf?.country });
  },
  async scheduled(controller, env) {
    await env.CACHE.put("cron", controller.cron);
  },
} satisfies ExportedHandler<Env>;
export const wrapped: ExportedHandler<Env> = guard.wrap(handler);

// A Hono app, wrapped whole, and guarded by the middleware.
const app = new Hono<{ Bindings: Env }>();
app.use(guarded(guard));
app.get("/", async (c) => c.text((await c.env.CACHE.get("seen")) ?? "none"));
export const honoWorker = guard.wrap(app);

// guard.env inside a Durable Object and with a Worker's ExecutionContext.
export class Counter extends DurableObject<Env> {
  async bump(): Promise<number> {
    const env = await guard.env(this.env, this.ctx);
    const value = Number((await env.CACHE.get("count")) ?? 0) + 1;
    await env.CACHE.put("count", String(value));
    return value;
  }
}

export async function direct(env: Env, ctx: ExecutionContext): Promise<string | null> {
  const guardedEnv = await guard.env(env, ctx);
  const decision = await guard.rateLimit(guardedEnv, "key", { capacity: 10, refillPerSecond: 1 }, ctx);
  return decision.allowed ? guardedEnv.CACHE.get("seen") : null;
}

// The meter's breakers, as this isolate holds them.
export function meterTrips(): string[] {
  return Object.values(guard.meter?.breakers ?? {}).map((breaker) => `${breaker.reason} (${breaker.source})`);
}

export { EdgefuseMeter, EdgefuseRateLimiter };

// A Pages function, guarded by edgefuse/pages, is still a PagesFunction<Env>.
export const onRequest: PagesFunction<Env> = guardedPage(guard, async ({ env, request }) => {
  await env.CACHE.put("page", request.url);
  return new Response("ok");
});

// edgefuse/testing: the Miniflare options and the simulator client, typed.
import { simulator, usageApiSimulator } from "edgefuse/testing";
const simulatorOptions = usageApiSimulator({ endpointEnv: "USAGE_ENDPOINT" });
export const auxiliaryWorkers: { name: string }[] = [simulatorOptions.worker];
export async function tripInATest(env: { USAGE_ENDPOINT: Fetcher }): Promise<number> {
  const usageApi = simulator(env.USAGE_ENDPOINT);
  await usageApi.setUsage("kv-writes", 960, { mode: "add" });
  await usageApi.fault({ kind: "http-500", dataset: "kvOperationsAdaptiveGroups" });
  return (await usageApi.requests()).filter((request) => request.authorized).length;
}

// guard.wrap on a WorkerEntrypoint class: the same class type back, its RPC methods typed.
class Notes extends WorkerEntrypoint<Env> {
  async save(text: string): Promise<number> {
    await this.env.CACHE.put("note", text);
    return text.length;
  }
}
export const GuardedNotes = guard.wrap(Notes);
export const saved: Promise<number> = new GuardedNotes({} as ExecutionContext, {} as Env).save("hi");
