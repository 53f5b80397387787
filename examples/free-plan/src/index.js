// A Worker built to live inside the free plan's daily quotas (100,000 KV reads, 1,000 KV
// writes, 100,000 D1 rows written a day). Tight per-invocation limits stop a bug at the
// first request; the guard's breakers trip at 80% of each daily quota; and two frugal
// habits keep the quotas for real traffic:
// - reads go to the Cache API (free) before KV, so a hot key costs one KV read per minute
//   per location, not one per request;
// - writes are batched: one D1 batch per request, not one KV write per event.
import { createGuard } from "edgefuse";

export const guard = createGuard({
  plan: "free",
  limits: { "kv-reads": 5, "kv-writes": 1, "d1-rows-read": 1_000, "d1-rows-written": 100 },
  thresholds: {
    "kv-reads": { trip: 80 },
    "kv-writes": { trip: 80 },
    "d1-rows-read": { trip: 80 },
    "d1-rows-written": { trip: 80 },
  },
});

const CACHE_SECONDS = 60;

// GET /settings/:name: the Cache API first, KV on a miss.
async function setting(name, env, ctx) {
  const cacheKey = new Request(`https://settings.internal/${encodeURIComponent(name)}`);
  const cached = await caches.default.match(cacheKey);
  if (cached) return new Response(cached.body, { headers: { "X-Served-From": "cache" } });
  const value = await env.SETTINGS.get(name);
  if (value === null) return new Response("not found", { status: 404 });
  const response = new Response(value, { headers: { "Cache-Control": `max-age=${CACHE_SECONDS}` } });
  ctx.waitUntil(caches.default.put(cacheKey, response.clone()));
  return new Response(value, { headers: { "X-Served-From": "kv" } });
}

// POST /events: a JSON array of events, written as one D1 batch.
async function recordEvents(request, env) {
  const events = await request.json();
  if (!Array.isArray(events) || events.length === 0) return new Response("send a JSON array of events", { status: 400 });
  await env.DB.exec("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, at TEXT, name TEXT)");
  const insert = env.DB.prepare("INSERT INTO events (at, name) VALUES (?, ?)");
  const at = new Date().toISOString();
  await env.DB.batch(events.map((event) => insert.bind(at, String(event.name ?? "event"))));
  return Response.json({ recorded: events.length }, { status: 201 });
}

export default guard.wrap({
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/settings/")) return setting(url.pathname.slice("/settings/".length), env, ctx);
    if (url.pathname === "/events" && request.method === "POST") return recordEvents(request, env);
    return new Response("GET /settings/:name, POST /events\n");
  },
});
