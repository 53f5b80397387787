// A Pages function guarded with edgefuse/pages: it writes `?n=` KV keys, and the guard allows
// 3 writes per request.
import { createGuard } from "../../../js/index.js";
import { guarded } from "../../../js/pages.js";

const guard = createGuard({ plan: "free", limits: { "kv-writes": 3 } });

export const onRequest = guarded(guard, async ({ request, env }) => {
  const n = Number(new URL(request.url).searchParams.get("n") ?? 1);
  for (let i = 0; i < n; i += 1) await env.KV.put(`page-${i}`, String(i));
  return Response.json({ written: n, usage: guard.usage(env) });
});
