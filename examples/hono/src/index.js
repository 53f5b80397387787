// A Hono app guarded with edgefuse/hono: its middleware swaps c.env for the guarded env and
// answers a refused call with a 503, and routes that can run away get a guard of their own
// with tighter per-invocation limits.
import { Hono } from "hono";
import { createGuard } from "edgefuse";
import { guarded } from "edgefuse/hono";

const guard = createGuard({ plan: "free" });
// /search scans a table: 2,000 rows read per request at most, whatever the query.
const searchGuard = createGuard({ plan: "free", limits: { "d1-rows-read": 2_000 } });

const app = new Hono();

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

export default app;
