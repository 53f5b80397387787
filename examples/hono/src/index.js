// A Hono app guarded through guard.env: a middleware swaps c.env for the guarded env, and
// routes that can run away get a guard of their own with tighter per-invocation limits.
import { Hono } from "hono";
import { GuardError, createGuard } from "edgefuse";

const guard = createGuard({ plan: "free" });
// /search scans a table: 2,000 rows read per request at most, whatever the query.
const searchGuard = createGuard({ plan: "free", limits: { "d1-rows-read": 2_000 } });

const app = new Hono();

const guarded = (which) => async (c, next) => {
  c.env = await which.env(c.env, c.executionCtx);
  await next();
};

app.use("/search", guarded(searchGuard));
app.use("/items", guarded(guard));
app.use("/items/*", guarded(guard));

app.get("/items/:id", async (c) => {
  const item = await c.env.DB.prepare("SELECT * FROM items WHERE id = ?").bind(c.req.param("id")).first();
  return item ? c.json(item) : c.notFound();
});

// A count, then a page: each scans the table, so on a big table the second is refused.
app.get("/search", async (c) => {
  const pattern = `%${c.req.query("q") ?? ""}%`;
  const total = await c.env.DB.prepare("SELECT count(*) AS n FROM items WHERE name LIKE ?").bind(pattern).first("n");
  const { results } = await c.env.DB.prepare("SELECT * FROM items WHERE name LIKE ? LIMIT 20").bind(pattern).all();
  return c.json({ total, results });
});

app.post("/items", async (c) => {
  const { name } = await c.req.json();
  const { meta } = await c.env.DB.prepare("INSERT INTO items (name) VALUES (?)").bind(name).run();
  return c.json({ id: meta.last_row_id }, 201);
});

// A refused call becomes the same 503 guard.wrap would answer.
app.onError((error, c) => {
  if (!(error instanceof GuardError)) throw error;
  c.header("Retry-After", "60");
  return c.json({ error: "edgefuse-blocked", code: error.code, resource: error.resource, message: error.message }, 503);
});

export default app;
