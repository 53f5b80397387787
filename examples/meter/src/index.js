// src/index.js
import { createGuard } from "edgefuse";
export { EdgefuseMeter } from "edgefuse";

export const guard = createGuard({
  plan: "free",
  // At most 500 D1 rows written in any rolling minute, across every isolate; a trip ends
  // once the rate is at or under 100 a minute.
  rates: { "d1-rows-written": { perMinute: 500, recoverPerMinute: 100 } },
});

export default guard.wrap({
  // Each request records a small batch of events: far under every per-invocation limit,
  // yet a retry storm of them would spend the free plan's 100,000 rows a day in minutes.
  async fetch(request, env) {
    const events = await request.json();
    const insert = env.DB.prepare("INSERT INTO events (name) VALUES (?)");
    await env.DB.batch(events.map((event) => insert.bind(String(event.name))));
    return new Response(null, { status: 201 });
  },
});
