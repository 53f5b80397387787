// A Hono app with edgefuse/hono, compiled with `tsc --noEmit --strict` against Hono's own
// types and the shipped declarations.
import { Hono } from "hono";
import { createGuard } from "edgefuse";
import { guarded } from "edgefuse/hono";

type Bindings = { KV: { get(key: string): Promise<string | null> } };

const app = new Hono<{ Bindings: Bindings }>();
app.use(guarded(createGuard({ plan: "free" })));
app.use("/search/*", guarded(createGuard({ plan: "free", limits: { "kv-reads": 10 } })));
app.get("/", async (c) => c.text((await c.env.KV.get("greeting")) ?? "none"));

export default app;
