// A minimal guarded Worker, for bench/cold-start.mjs: its bundle is what a user ships.
import { createGuard } from "../../js/index.js";

const guard = createGuard({ plan: "free" });

export default guard.wrap({
  async fetch(request, env) {
    return new Response((await env.KV.get("greeting")) ?? "hello");
  },
});
