// The Worker the load test drives: the same KV read guarded and unguarded, a route over its
// per-invocation limit, and a write to a resource the test trips.
import { createGuard } from "../../js/index.js";
import { coreMemoryBytes } from "../../js/core.js";

const guard = createGuard({ plan: "free", limits: { "kv-reads": 3 } });

const guarded = guard.wrap({
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/read") return new Response((await env.KV.get("greeting")) ?? "none");
    if (pathname === "/over") {
      for (let i = 0; i < 4; i += 1) await env.KV.get(`key-${i}`); // the 4th is over the limit
      return new Response("unreachable");
    }
    if (pathname === "/write") {
      await env.KV.put("last", String(Date.now()));
      return new Response("written");
    }
    return new Response("not found", { status: 404 });
  },
});

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname === "/raw/read") return new Response((await env.KV.get("greeting")) ?? "none");
    if (pathname === "/stats") return Response.json({ stateReads: guard.stateReads, wasmBytes: coreMemoryBytes() });
    return guarded.fetch(request, env, ctx);
  },
};
