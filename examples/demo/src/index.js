// The demo Worker: a small notes API on KV, D1 and R2, guarded by edgefuse, polling the local
// usage-API simulator instead of Cloudflare's API. Its /__sim/* routes pass through to the
// simulator, and /__demo/guard tells the guard's own KV reads, so that scripts/demo.mjs can
// play an incident against it.
import { createGuard, EdgefuseMeter, EdgefuseRateLimiter } from "edgefuse";
export { LocalWorkersAi } from "./local-workers-ai.js"; // env.AI here: no Workers AI offline

export { EdgefuseRateLimiter }; // the Durable Object behind the rate limit (wrangler.jsonc)
export { EdgefuseMeter }; // the real-time meter's Durable Object (wrangler.jsonc)

export const guard = createGuard({
  plan: "free",
  // The simulator, through the USAGE_API service binding (see wrangler.jsonc).
  endpoint: "http://usage-api/graphql",
  endpointBinding: "USAGE_API",
  limits: { "d1-rows-written": 50 },
  // Alerts go to the simulator's receiver too (a real webhook would be a URL on the internet).
  alerts: { channels: [{ type: "webhook", binding: "USAGE_API" }] },
  // The search reads D1 on every call: each API key gets 10 at once, then one every 2 s.
  rateLimit: { routes: [{ path: "/search", capacity: 10, refillPerSecond: 0.5, key: "header:X-Api-Key" }] },
});

// The same Worker on a paid account, for the Workers AI part of the story: a second guard,
// with its own state namespace, capping Workers AI at $1 of overage a day (10,000 neurons a
// day are included, then $0.011 per 1,000).
export const paidGuard = createGuard({
  plan: "paid",
  stateBinding: "PAID_GUARD_STATE",
  endpoint: "http://usage-api/graphql",
  endpointBinding: "USAGE_API",
  budget: { maxUsd: 100 },
  thresholds: { "ai-neurons": { maxOverageUsd: 1, granularity: "day" } },
  bindings: { AI: "ai" }, // a service binding standing in for Workers AI: named, not detected
  // A daily digest from 09:00 UTC; the first cron tick sends the last day's at once.
  alerts: { channels: [{ type: "webhook", binding: "USAGE_API" }], digest: { hourUtc: 9 } },
  // Past the budget, requests are billed whatever the Worker answers: take it off workers.dev
  // and its routes through Cloudflare's REST API (here the simulator's), until a reset or
  // the budget's recovery puts them back. env.EDGEFUSE_SCRIPT_NAME must name the same script.
  actions: {
    script: "edgefuse-demo",
    endpointEnv: "USAGE_API",
    zones: ["023e105f4ecef8ad9ca31a8372d0c353"],
    on: { budget: ["disable-workers-dev", "detach-routes"] },
  },
  adminPath: "/__edgefuse-paid",
});

// A webhook receiver whose senders retry in a storm: each delivery writes 5 rows, far under
// every per-invocation limit. The real-time meter holds all deliveries together to 300 rows
// a minute (its own state namespace, so the story's other trips do not touch it).
export const webhookGuard = createGuard({
  plan: "free",
  stateBinding: "WEBHOOK_GUARD_STATE",
  rates: { "d1-rows-written": { perMinute: 300, recoverPerMinute: 100 } },
  meter: { quotas: false },
});

async function webhook(request, env) {
  const insert = env.DB.prepare("INSERT INTO deliveries (at) VALUES (?)");
  const at = new Date().toISOString();
  await env.DB.batch(Array.from({ length: 5 }, () => insert.bind(at)));
  return new Response(null, { status: 204 });
}

async function summarize(request, env) {
  const { response } = await env.AI.run("@cf/meta/llama-3.1-8b-instruct", { prompt: `Summarise: ${await request.text()}` });
  return Response.json({ summary: response });
}

async function notes(request, env) {
  const url = new URL(request.url);
  if (url.pathname.startsWith("/__sim/")) return env.USAGE_API.fetch(request);
  if (url.pathname === "/__demo/guard") return Response.json({ stateReads: guard.stateReads });
  if (url.pathname === "/note" && request.method === "PUT") {
    const id = crypto.randomUUID();
    await env.NOTES.put(id, await request.text());
    return Response.json({ id });
  }
  if (url.pathname === "/note") {
    const value = await env.NOTES.get(url.searchParams.get("id") ?? "");
    return value === null ? new Response("not found", { status: 404 }) : new Response(value);
  }
  if (url.pathname.startsWith("/file/")) {
    const name = url.pathname.slice("/file/".length);
    if (request.method === "PUT") {
      await env.FILES.put(name, request.body);
      return new Response(null, { status: 201 });
    }
    const object = await env.FILES.get(name);
    return object ? new Response(object.body) : new Response("not found", { status: 404 });
  }
  if (url.pathname === "/import" && request.method === "POST") {
    // A buggy import: one INSERT per row, with no end. The per-invocation limit stops it.
    await env.DB.exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, at TEXT)");
    let written = 0;
    try {
      for (;;) {
        await env.DB.prepare("INSERT INTO rows (at) VALUES (?)").bind(new Date().toISOString()).run();
        written += 1;
      }
    } finally {
      console.log(`import wrote ${written} rows before it stopped`);
    }
  }
  if (url.pathname === "/search") {
    await env.DB.exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, at TEXT)");
    const pattern = `%${url.searchParams.get("q") ?? ""}%`;
    return Response.json({ matches: await env.DB.prepare("SELECT count(*) AS n FROM rows WHERE at LIKE ?").bind(pattern).first("n") });
  }
  if (url.pathname === "/rows") {
    await env.DB.exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, at TEXT)");
    return Response.json({ rows: await env.DB.prepare("SELECT count(*) AS n FROM rows").first("n") });
  }
  return new Response("edgefuse demo: PUT /note, GET /note?id=, PUT|GET /file/:name, POST /import, GET /rows, GET /search?q=, POST /summarize, /__edgefuse\n");
}

const freeWorker = guard.wrap({
  fetch: notes,
  async scheduled() {
    // The Worker's own cron work would go here; the guard evaluates usage before it.
  },
});
const paidWorker = paidGuard.wrap({ fetch: summarize });
const webhookWorker = webhookGuard.wrap({ fetch: webhook });

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname === "/summarize" || pathname.startsWith("/__edgefuse-paid")) return paidWorker.fetch(request, env, ctx);
    if (pathname === "/webhook") {
      await env.DB.exec("CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY, at TEXT)");
      // The demo's count of what reached D1, unguarded: a tripped D1 refuses every query.
      if (request.method === "GET") return Response.json({ rows: await env.DB.prepare("SELECT count(*) AS n FROM deliveries").first("n") });
      return webhookWorker.fetch(request, env, ctx);
    }
    return freeWorker.fetch(request, env, ctx);
  },
  async scheduled(controller, env, ctx) {
    await freeWorker.scheduled(controller, env, ctx);
    await paidWorker.scheduled(controller, env, ctx);
  },
};
